import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The dashboard of `flow serve` in a real headless browser (Debian's `chromium`, installed by
/// scripts/prereqs): the pages as a user's browser renders them after the script ran, a
/// screenshot kept under .build/test-artifacts/dashboard/, and the live view of a running
/// execution updating without a reload while another `flow run` process goes on. One browser at
/// a time (`.serialized`): chromium is heavy, and a loaded 2-core machine must not time it out.
@Suite("dashboard in a browser", .serialized, .enabled(if: Chromium.path != nil, "chromium is not installed: scripts/prereqs installs it"))
struct DashboardBrowserTests {
    @Test("the list: every execution with status, workflow, start, duration, a link; filters by status and workflow")
    func list() async throws {
        let sb = try await ShowTests.sandbox(with: ["succeeded", "failed", "operator"])
        defer { sb.cleanup() }
        let url = try await Serve.start(sb)

        let dom = try await Chromium.dumpDOM(url + "/", sandbox: sb)
        for id in ["succeeded", "failed", "operator"] {
            #expect(dom.contains("<a href=\"/executions/\(id)\">\(id)</a>"), "no link to \(id):\n\(dom)")
        }
        #expect(dom.contains("data-id=\"failed\" data-status=\"failed\""), "\(dom)")
        #expect(dom.contains("data-id=\"succeeded\" data-status=\"succeeded\""), "\(dom)")
        #expect(dom.contains("canary.lua"), "the workflow column: \(dom)")
        #expect(dom.contains("<time datetime=\""), "the start column: \(dom)")
        #expect(dom.contains("3 executions"), "\(dom)")
        try await Chromium.screenshot(url + "/", name: "list", sandbox: sb)

        let failed = try await Chromium.dumpDOM(url + "/?status=failed", sandbox: sb)
        #expect(failed.contains("data-id=\"failed\""), "\(failed)")
        #expect(!failed.contains("data-id=\"succeeded\""), "the status filter kept a succeeded row:\n\(failed)")
        #expect(failed.contains("1 of 3 executions"), "\(failed)")
        let none = try await Chromium.dumpDOM(url + "/?workflow=no-such-workflow", sandbox: sb)
        #expect(none.contains("No executions match these filters."), "\(none)")
    }

    @Test("an execution: steps, gates, the weights chart (SVG), outcome and fail-back; nothing live once finished")
    func execution() async throws {
        let sb = try await ShowTests.sandbox(with: ["failed", "operator"])
        defer { sb.cleanup() }
        let url = try await Serve.start(sb)

        let dom = try await Chromium.dumpDOM(url + "/executions/failed", sandbox: sb)
        #expect(dom.contains("<h1>Execution <code>failed</code></h1>"), "\(dom)")
        #expect(dom.contains("id=\"timeline\""), "no steps table:\n\(dom)")
        #expect(dom.contains("set_weights"), "the weight steps are missing:\n\(dom)")
        #expect(dom.contains("<svg class=\"chart\""), "no weights chart:\n\(dom)")
        #expect(dom.contains("class=\"area w-blue\"") && dom.contains("class=\"area w-green\""), "no blue/green areas:\n\(dom)")
        #expect(dom.contains(">100%</text>") && dom.contains(">time (UTC)</text>"), "no axis labels:\n\(dom)")
        #expect(dom.contains("class=\"failback\""), "the chart does not mark the fail-back:\n\(dom)")
        #expect(dom.contains("<dt>Cause</dt>"), "no failure cause:\n\(dom)")
        #expect(dom.contains("<dt>Fail-back</dt>") && dom.contains("Fail-back steps"), "no fail-back:\n\(dom)")
        #expect(dom.contains("id=\"gates\""), "no gate results:\n\(dom)")
        #expect(dom.contains("data-final=\"true\""), "\(dom)")
        // Finished: the buttons stay hidden and the script does not listen.
        #expect(dom.contains("id=\"actions\" aria-labelledby=\"h-actions\" hidden=\"\""), "\(dom)")
        #expect(!dom.contains("data-live="), "\(dom)")
        try await Chromium.screenshot(url + "/executions/failed", name: "execution-failed", sandbox: sb)

        let op = try await Chromium.dumpDOM(url + "/executions/operator", sandbox: sb)
        #expect(op.contains("event-operator"), "no operator action row:\n\(op)")
        try await Chromium.screenshot(url + "/executions/operator", name: "execution-operator", sandbox: sb)

        let missing = try await Chromium.dumpDOM(url + "/executions/nope", sandbox: sb)
        #expect(missing.contains("No such execution"), "\(missing)")
    }

    @Test("what a workflow journals is shown as text, never as markup")
    func escaping() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("evil.lua", """
            flow.step("<img src=x id=injected>", function() return "<b id=bold>not bold</b>" end)
            flow.fail("<script id=injected2>alert(1)</script>")
            """)
        let r = try await sb.flow(["run", "evil.lua", "--id", "evil"])
        #expect(r.code == 1, "\(r)")
        let url = try await Serve.start(sb)
        let dom = try await Chromium.dumpDOM(url + "/executions/evil", sandbox: sb)
        #expect(dom.contains("&lt;img src=x id=injected&gt;"), "\(dom)")
        #expect(dom.contains("&lt;script id=injected2&gt;"), "\(dom)")
        #expect(!dom.contains("id=\"injected\"") && !dom.contains("id=\"bold\"") && !dom.contains("<script id"), "markup got through:\n\(dom)")
    }

    @Test("the live view: a running execution's page updates without a reload as the workflow goes on")
    func live() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("live.lua", """
            flow.step("before", function() return "ready" end)
            local v = flow.signal("go", { timeout = 120 })
            flow.step("after_signal", function() return "got " .. tostring(v) end)
            return "done"
            """)
        let run = try sb.start(["run", "live.lua", "--id", "live"])
        try await sb.waitForStatus("live", "waiting", kind: "signal")
        let url = try await Serve.start(sb)

        // The page is rendered while the workflow waits; the browser stays on it (a long virtual
        // time budget) while the signal arrives; its DOM at the end is what the script made of it.
        let browser = try Chromium.startDump(url + "/executions/live", budget: 60_000, sandbox: sb)
        try await sb.waitUntil("the page's script to connect to the events", timeout: .seconds(60)) {
            browser.stderr.contains("flow dashboard: live updates connected")
        }
        let signal = try await sb.flow(["signal", "live", "go"])
        #expect(signal.code == 0, "\(signal)")
        let r = await run.wait(timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        let done = await browser.wait(timeout: .seconds(120))
        let dom = done.stdout
        #expect(dom.contains("data-rendered-status=\"waiting\""), "the page was not rendered while the workflow waited:\n\(dom)")
        #expect(dom.contains("after_signal"), "the live view did not show the new step:\n\(dom)\n\(done.stderr.suffix(3000))")
        #expect(dom.contains("id=\"state\" data-status=\"succeeded\" data-final=\"true\""), "the status did not update:\n\(dom)")
        #expect(dom.contains("data-live=\"finished\""), "the script did not see the end:\n\(dom)")

        // And a fresh load shows the finished execution as the server renders it.
        let after = try await Chromium.dumpDOM(url + "/executions/live", sandbox: sb)
        #expect(after.contains("data-rendered-status=\"succeeded\"") && after.contains("after_signal"), "\(after)")
    }
}

/// `flow serve --listen 127.0.0.1:0` on the sandbox's home.
enum Serve {
    /// Starts the server and returns its URL, read from `flow: serving URL` on stderr.
    static func start(_ sb: Sandbox) async throws -> String {
        let p = try sb.start(["serve", "--listen", "127.0.0.1:0"])
        var url: String?
        try await sb.waitUntil("flow serve to listen", timeout: .seconds(30)) {
            if let line = p.stderr.split(separator: "\n").first(where: { $0.contains("flow: serving http://") }),
               let at = line.range(of: "http://") {
                url = String(line[at.lowerBound...]).trimmingCharacters(in: .whitespaces)
                return true
            }
            return !p.isRunning
        }
        guard let url else { throw HarnessError("flow serve did not start: \(p.poll().map(\.description) ?? p.stderr)") }
        return url
    }
}

/// Headless chromium, one process per page, each with its own profile in the sandbox.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { access($0, X_OK) == 0 }

    /// Where screenshots are kept after the test: .build/test-artifacts/dashboard/NAME.png.
    static let artifacts = FlowBinary.packageRoot + "/.build/test-artifacts/dashboard"

    static func arguments(_ sb: Sandbox, _ extra: [String]) -> [String] {
        let profile = sb.path("chromium-\(UUID().uuidString.prefix(8))")
        return ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
                "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0"] + extra
    }

    /// Starts chromium dumping the DOM of `url` once the page's script has had `budget` ms of
    /// virtual time (time stands still while a fetch is in flight, so a fetch is always answered).
    static func startDump(_ url: String, budget: Int, sandbox sb: Sandbox) throws -> FlowProcess {
        try spawn(arguments(sb, ["--virtual-time-budget=\(budget)", "--dump-dom", url]), sandbox: sb)
    }

    static func dumpDOM(_ url: String, budget: Int = 3000, sandbox sb: Sandbox) async throws -> String {
        let p = try startDump(url, budget: budget, sandbox: sb)
        let r = await p.wait(timeout: .seconds(120))
        guard r.code == 0, !r.stdout.isEmpty else { throw HarnessError("chromium --dump-dom \(url) failed: \(r)") }
        return r.stdout
    }

    /// A 1200x900 screenshot of `url`, kept as a test artifact.
    static func screenshot(_ url: String, name: String, sandbox sb: Sandbox) async throws {
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let file = artifacts + "/\(name).png"
        try? FileManager.default.removeItem(atPath: file)
        let p = try spawn(arguments(sb, ["--virtual-time-budget=3000", "--window-size=1200,900", "--screenshot=\(file)", url]),
                          sandbox: sb)
        let r = await p.wait(timeout: .seconds(120))
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        #expect(r.code == 0 && size > 10_000, "no screenshot of \(url) at \(file) (\(size) bytes): \(r)")
        let png = FileManager.default.contents(atPath: file).map { Array($0.prefix(8)) } ?? []
        #expect(png == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "\(file) is not a PNG")
    }

    /// Spawned in its own process group (the harness's Spawner), so that a timeout kills the
    /// browser's helper processes too; the sandbox kills the group at cleanup.
    static func spawn(_ args: [String], sandbox sb: Sandbox) throws -> FlowProcess {
        guard let path else { throw HarnessError("chromium is not installed") }
        let n = UUID().uuidString.prefix(8)
        let out = sb.path(".io/chromium-\(n).out"), err = sb.path(".io/chromium-\(n).err")
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = sb.dir
        let pid = try Spawner.spawn(path, arguments: args, environment: env, directory: sb.dir, stdout: out, stderr: err)
        sb.adopt(-pid)
        return FlowProcess(pid: pid, args: args, stdoutPath: out, stderrPath: err, started: .now)
    }
}
