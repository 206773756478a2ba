import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The live rollout view of `flow run` / `flow resume` / `flow show ID --follow`, driven in a
/// real pseudo-terminal (util-linux `script`), and its plain lines compared with golden files.
@Suite("live view")
struct LiveViewTests {
    /// Steps, a retried step with its backoff, a log, a sleep, Lua gates with long reasons (one
    /// failing, its verdict returned rather than raised).
    static let demo = """
        flow.exec{ cmd = {"true"} }
        flow.log("starting the demo")
        local n = 0
        flow.step("flaky", function()
          n = n + 1
          if n < 2 then error("flaky failure number " .. n) end
          return n
        end, { retry = { initial = 0.3, jitter = "none", max_attempts = 3 } })
        flow.sleep(1.2)
        flow.gate("long_reason", { ms = 42 })
        flow.gate("long_reason", { ms = 420, on_fail = "return" })
        return { ok = true }
        """

    static let gate = """
        return function(ctx, args)
          local ok = args.ms < 300
          return { status = ok and "pass" or "fail",
                   reason = "latency p95 " .. args.ms .. " ms is " .. (ok and "under" or "over") .. " the 300 ms budget; "
                     .. "error ratio 0.1% below 1%; the sample of 2000 requests is large enough to decide; nothing else",
                   value = { p95_ms = args.ms, error_ratio = 0.001, samples = 2000 } }
        end
        """

    static func demoSandbox() async throws -> Sandbox {
        let sb = try await Sandbox()
        try sb.write("w.lua", demo)
        try FileManager.default.createDirectory(atPath: sb.path("gates"), withIntermediateDirectories: true)
        try sb.write("gates/long_reason.lua", gate)
        return sb
    }

    @Test("on a terminal: redrawn in place, every line cut to the width, colours, the cursor given back")
    func liveViewOnATerminal() async throws {
        let sb = try await Self.demoSandbox()
        defer { sb.cleanup() }
        let tty = try PseudoTerminal.start(sb, columns: 60, ["run", "w.lua", "--id", "lv-tty", "--plugins", "gates"], stdout: "id.out")
        defer { tty.killAndReap() }
        let r = await tty.wait(timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        let raw = r.stdout
        // stdout keeps the id and the result, exactly, for `id=$(flow run x.lua)`.
        #expect(sb.read("id.out") == "lv-tty\n{\"ok\":true}\n")
        let hidden = try #require(raw.range(of: "\u{1B}[?25l", options: .backwards), "the cursor is hidden while drawing")
        let shown = try #require(raw.range(of: "\u{1B}[?25h", options: .backwards), "the cursor is shown again")
        #expect(shown.lowerBound > hidden.lowerBound, "the cursor is shown again at the end")
        #expect(PseudoTerminal.cursorUps(raw) >= 2, "the frame is redrawn in place: \(raw.debugDescription)")
        #expect(raw.contains("\u{1B}[32m"), "colours without NO_COLOR")
        PseudoTerminal.expectFits(raw, columns: 60)
        let text = PseudoTerminal.strip(raw)
        #expect(text.contains("w.lua · lv-tty"), "\(text)")
        // What scrolls above the frame is printed whatever the timing; the frames in between are not asserted.
        #expect(text.contains("✗ [2] step flaky: Error: w.lua:6: flaky failure"), "\(text)")
        #expect(text.contains("✓ [2] step flaky · "), "\(text)")
        #expect(text.contains("✗ [5] gate long_reason FAILED after 1 measurement"), "\(text)")
        // The last frame: both gates' last results and measured values.
        #expect(text.contains("gate     long_reason ✗ FAILED after 1 · latency p95 420 ms"), "\(text)")
        #expect(text.contains("error_ratio=0.001 p95_ms=420 samples=2000"), "\(text)")
        #expect(text.contains("✓ succeeded in"), "\(text)")
    }

    @Test("NO_COLOR: not one colour code, still redrawn in place")
    func noColor() async throws {
        let sb = try await Self.demoSandbox()
        defer { sb.cleanup() }
        let tty = try PseudoTerminal.start(sb, columns: 60, ["run", "w.lua", "--id", "lv-nc", "--plugins", "gates"],
                                           env: ["NO_COLOR": "1"], stdout: "id.out")
        defer { tty.killAndReap() }
        let r = await tty.wait(timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(PseudoTerminal.colourCodes(r.stdout) == 0, "\(r.stdout.debugDescription)")
        #expect(PseudoTerminal.cursorUps(r.stdout) >= 2)
        PseudoTerminal.expectFits(r.stdout, columns: 60)
        #expect(sb.read("id.out") == "lv-nc\n{\"ok\":true}\n")
    }

    @Test("a narrow terminal (24 columns) never gets a line longer than it")
    func narrowTerminal() async throws {
        let sb = try await Self.demoSandbox()
        defer { sb.cleanup() }
        let tty = try PseudoTerminal.start(sb, columns: 24, ["run", "w.lua", "--id", "lv-narrow-terminal", "--plugins", "gates"],
                                           stdout: "id.out")
        defer { tty.killAndReap() }
        let r = await tty.wait(timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(PseudoTerminal.cursorUps(r.stdout) >= 2)
        PseudoTerminal.expectFits(r.stdout, columns: 24)
    }

    @Test("--plain on a terminal: the plain lines, no escape sequences")
    func plainOnATerminal() async throws {
        let sb = try await Self.demoSandbox()
        defer { sb.cleanup() }
        let tty = try PseudoTerminal.start(sb, columns: 60, ["run", "w.lua", "--id", "lv-plain", "--plugins", "gates", "--plain"],
                                           stdout: "id.out")
        defer { tty.killAndReap() }
        let r = await tty.wait(timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(!r.stdout.contains("\u{1B}"), "\(r.stdout.debugDescription)")
        let lines = r.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(lines.contains("  [2] FAILED flaky attempt 1: Error: w.lua:6: flaky failure number 1; retrying in"), "\(lines)")
        #expect(lines.contains("flow: succeeded"), "\(lines)")
    }

    @Test("not a terminal: plain lines, as in the golden file")
    func plainLinesMatchTheGoldenFile() async throws {
        let sb = try await Self.demoSandbox()
        defer { sb.cleanup() }
        let r = try await sb.flow(["run", "w.lua", "--id", "lv-plain", "--plugins", "gates"], timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout == "lv-plain\n{\"ok\":true}\n")
        // Gate lines stay short: the long reason is cut at a clause.
        let gateLine = try #require(r.stderr.split(separator: "\n").first { $0.contains("gate long_reason #1") })
        #expect(gateLine.count <= 130, "\(gateLine)")
        try Golden.check("plain-demo.txt", r.stderr)
    }

    @Test("Ctrl-C: the hint to resume names --home when the home is not the default")
    func interruptedHintNamesTheHome() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", "flow.sleep(60)")
        let run = try sb.start(["run", "w.lua", "--id", "lv-int"])
        try await sb.waitForStatus("lv-int", "waiting")
        run.send(SIGINT)
        let r = await run.wait(timeout: .seconds(30))
        #expect(r.code == 130, "\(r)")
        #expect(r.stderr.contains("flow resume lv-int --home \(sb.home)"), "\(r)")
    }

    // MARK: flow show ID --follow

    static let waitsForGo = """
        flow.exec{ cmd = {"true"} }
        flow.sleep(0.3)
        local d = flow.signal("go")
        flow.exec{ cmd = {"true"} }
        if type(d) == "table" and d.fail then flow.fail("asked to fail") end
        return "done"
        """

    @Test("show --follow on a terminal: the step of another process within seconds, then its exit code")
    func followOnATerminal() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.waitsForGo)
        let run = try sb.start(["run", "w.lua", "--id", "lv-f1", "--quiet"])
        try await sb.waitForStatus("lv-f1", "waiting", kind: "signal")
        let follow = try PseudoTerminal.start(sb, columns: 60, ["show", "lv-f1", "--follow"])
        defer { follow.killAndReap() }
        // Bounded generously: a hang fails, a slow machine does not.
        try await sb.waitUntil("the follower shows the signal step", timeout: .seconds(20)) {
            PseudoTerminal.strip(follow.stdout).contains("[3] signal go")
        }
        #expect(follow.isRunning, "it follows until the execution ends")
        #expect(try await sb.flow(["signal", "lv-f1", "go"]).code == 0)
        let f = await follow.wait(timeout: .seconds(60))
        #expect(f.code == 0, "\(f)")
        let text = PseudoTerminal.strip(f.stdout)
        #expect(text.contains("✓ succeeded"), "\(text)")
        PseudoTerminal.expectFits(f.stdout, columns: 60)
        #expect(await run.wait(timeout: .seconds(30)).code == 0)
    }

    @Test("show --follow, plain: one line per journaled event, and the failed execution's exit code")
    func followPlainExitsWithTheExecutionsCode() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.waitsForGo)
        let run = try sb.start(["run", "w.lua", "--id", "lv-f2", "--quiet"])
        try await sb.waitForStatus("lv-f2", "waiting", kind: "signal")
        let follow = try sb.start(["show", "lv-f2", "--follow"])
        try await sb.waitUntil("the follower prints the signal wait", timeout: .seconds(20)) {
            follow.stderr.contains("[3] waiting: signal go")
        }
        #expect(try await sb.flow(["signal", "lv-f2", "go", "--data", #"{"fail":true}"#]).code == 0)
        let f = await follow.wait(timeout: .seconds(60))
        #expect(f.code == 1, "\(f)")
        #expect(f.stderr.contains("flow: failed: "), "\(f)")
        #expect(f.stderr.contains("[4] ok flow.exec"), "\(f)")
        #expect(!f.stderr.contains("\u{1B}"), "\(f)")
        #expect(await run.wait(timeout: .seconds(30)).code == 1)
    }

    @Test("show --follow: Ctrl-C stops following (130) and leaves the execution alone")
    func followCtrlC() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.waitsForGo)
        let run = try sb.start(["run", "w.lua", "--id", "lv-f3", "--quiet"])
        try await sb.waitForStatus("lv-f3", "waiting", kind: "signal")
        let follow = try sb.start(["show", "lv-f3", "--follow", "--plain"])
        try await sb.waitUntil("the follower prints the signal wait", timeout: .seconds(20)) {
            follow.stderr.contains("[3] waiting: signal go")
        }
        follow.send(SIGINT)
        let f = await follow.wait(timeout: .seconds(30))
        #expect(f.code == 130, "\(f)")
        #expect(try await sb.statusName("lv-f3") == "waiting")
        #expect(try await sb.flow(["signal", "lv-f3", "go"]).code == 0)
        #expect(await run.wait(timeout: .seconds(30)).code == 0)
    }

    @Test("show --follow of an execution that does not exist: usage error")
    func followUnknown() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let r = try await sb.flow(["show", "nope", "--follow"])
        #expect(r.code == 2, "\(r)")
    }
}

extension LiveViewTests {
    /// The weights bar needs Route53: the canary against the strict AWS fixture (one fixture
    /// for these tests, so one at a time).
    @Suite(.serialized)
    struct Rollouts {
        @Test("the canary on a terminal: the weights bar with percentages at every step")
        func canaryOnATerminal() async throws {
            try await RolloutWorld.with(fixture: "liveview") { w in
                // 1.5 s at each step: time enough for several frames at each weight.
                let params = try w.params(wait: 1.5, poll: 0.5)
                let tty = try PseudoTerminal.start(
                    w.sandbox, columns: 60, ["run", RolloutWorld.canary, "--id", "lv-canary", "--params", params],
                    env: w.env, stdout: "id.out")
                defer { tty.killAndReap() }
                let r = await tty.wait(timeout: .seconds(90))
                #expect(r.code == 0, "\(r)")
                let text = PseudoTerminal.strip(r.stdout)
                for bar in ["blue 90% ", "10% green", "blue 50% ", "50% green", "blue 0% ", "100% green"] {
                    #expect(text.contains(bar), "'\(bar)' is missing: \(text)")
                }
                #expect(text.contains("█"), "\(text)")
                #expect(text.contains("✓ [3] route53.set_weights blue 90 | green 10"), "\(text)")
                #expect(text.contains("✓ succeeded in"), "\(text)")
                #expect(text.contains("weights blue 0% | green 100%"), "\(text)")
                #expect(PseudoTerminal.cursorUps(r.stdout) >= 3)
                PseudoTerminal.expectFits(r.stdout, columns: 60)
                #expect(w.sandbox.read("id.out").hasPrefix("lv-canary\n{"))
            }
        }

        @Test("plain rollout lines say the weights, as in the golden file")
        func plainRolloutMatchesTheGoldenFile() async throws {
            try await RolloutWorld.with(fixture: "liveview") { w in
                try w.sandbox.write("rollout.lua", """
                    local P = flow.params{ zone = flow.required "string", record = flow.required "string",
                                           tg = flow.required "string" }
                    local route53 = require "flow.route53"
                    local health = require "flow.health"
                    local failback = require "flow.failback"
                    failback.arm{ zone = P.zone, record = P.record }
                    for _, pct in ipairs{ 10, 50, 100 } do
                      route53.set_weights{ zone = P.zone, record = P.record, weights = { blue = 100 - pct, green = pct } }
                      health.targets{ target_group = P.tg, min_healthy = "100%", count = 2, every = 0.1 }
                    end
                    """)
                let r = try await w.sandbox.flow(
                    ["run", "rollout.lua", "--id", "lv-rollout", "--param", "zone=\(w.seed.zoneName)",
                     "--param", "record=\(w.seed.record)", "--param", "tg=\(w.seed.green.tgName)"],
                    env: w.env, timeout: .seconds(90))
                #expect(r.code == 0, "\(r)")
                #expect(r.stderr.contains("  [2] run route53.set_weights blue 90 | green 10\n"), "\(r)")
                try Golden.check("plain-rollout.txt", r.stderr)
            }
        }
    }
}

/// `script -qfec CMD /dev/null` runs CMD in a new pseudo-terminal and copies everything it
/// prints, escape sequences included, to its own stdout (a file here).
enum PseudoTerminal {
    static let script = "/usr/bin/script"

    /// `flow ARGS --home HOME` in a terminal of `columns` columns (TERM=xterm-256color, a UTF-8
    /// locale, no NO_COLOR unless `env` sets it); `stdout`: a sandbox file flow's stdout goes to
    /// (else it shares the terminal). The result's stdout is the raw terminal output.
    static func start(_ sb: Sandbox, columns: Int, _ args: [String], env: [String: String] = [:],
                      stdout: String? = nil) throws -> FlowProcess {
        guard access(script, X_OK) == 0 else { throw HarnessError("\(script) (util-linux) is needed to test in a terminal") }
        let argv = [sb.binary] + args + ["--home", sb.home]
        var command = "stty cols \(columns) rows 40 && exec " + argv.map(quote).joined(separator: " ")
        if let stdout { command += " > " + quote(sb.path(stdout)) }
        var environment = ProcessInfo.processInfo.environment
        for key in ["FLOW_CRASH_AT", "FLOW_HOME", "NO_COLOR", "COLUMNS", "LINES"] { environment.removeValue(forKey: key) }
        environment["TERM"] = "xterm-256color"
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = "C.UTF-8"
        for (k, v) in env { environment[k] = v }
        let name = "tty-\(UUID().uuidString.prefix(8))"
        let out = sb.path(".io/\(name).out"), err = sb.path(".io/\(name).err")
        let pid = try Spawner.spawn(script, arguments: ["-qfec", command, "/dev/null"], environment: environment,
                                    directory: sb.dir, stdout: out, stderr: err)
        return FlowProcess(pid: pid, args: argv, stdoutPath: out, stderrPath: err, started: .now)
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static var escape: Regex<AnyRegexOutput> { try! Regex(#"\x1B\[[0-9;?]*[A-Za-z]"#) }
    static var sgr: Regex<AnyRegexOutput> { try! Regex(#"\x1B\[[0-9;]*m"#) }
    static var cursorUp: Regex<AnyRegexOutput> { try! Regex(#"\x1B\[[0-9]+A"#) }

    /// The text without escape sequences.
    static func strip(_ raw: String) -> String { raw.replacing(escape, with: "") }

    static func colourCodes(_ raw: String) -> Int { raw.matches(of: sgr).count }
    static func cursorUps(_ raw: String) -> Int { raw.matches(of: cursorUp).count }

    /// Every piece of text between line starts is narrower than the terminal: nothing wrapped.
    static func expectFits(_ raw: String, columns: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let pieces = strip(raw).split(whereSeparator: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
        let wide = pieces.filter { $0.count >= columns }
        #expect(wide.isEmpty, "lines of \(columns) columns or more: \(wide)", sourceLocation: sourceLocation)
    }
}

/// Golden files under Fixtures/live/, compared after durations are normalised;
/// FLOW_UPDATE_GOLDEN=1 writes them instead.
enum Golden {
    static let directory = FlowBinary.packageRoot + "/Tests/FlowCLITests/Fixtures/live/"

    static var rules: [(Regex<AnyRegexOutput>, String)] {
        [
            (try! Regex(#"\(\d+ ms\)"#), "(N ms)"),
            (try! Regex(#"\d+\.\d+ s\b"#), "N.N s"),
        ]
    }

    static func normalise(_ text: String) -> String {
        rules.reduce(text) { $0.replacing($1.0, with: $1.1) }
    }

    static func check(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = directory + name
        let got = normalise(actual)
        if ProcessInfo.processInfo.environment["FLOW_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try got.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HarnessError("no golden file \(path): run the test with FLOW_UPDATE_GOLDEN=1 to write it")
        }
        #expect(got == expected, "\(name) differs (FLOW_UPDATE_GOLDEN=1 rewrites it)\n--- expected:\n\(expected)--- got:\n\(got)---",
                sourceLocation: sourceLocation)
    }
}
