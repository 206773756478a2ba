import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import FlowLua
import FlowTestSupport
@testable import FlowEngine

/// Lua gates through `gates.run`, the way the engine calls them: real files, a real interpreter
/// per measurement, and fake read-only functions standing in for the health and route53 plugins.
@Suite struct LuaGateTests {
    /// A folder of gate files, removed at the end. Short, because Lua abbreviates chunk names
    /// past 60 characters and messages quote them.
    final class Folder {
        let root: String
        init() throws {
            root = "/tmp/fg-" + UUID().uuidString.prefix(8).lowercased()
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        @discardableResult
        func write(_ name: String, _ source: String, in sub: String? = nil) throws -> String {
            let dir = sub.map { root + "/" + $0 } ?? root
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/" + name
            _ = FileManager.default.createFile(atPath: path, contents: Data(source.utf8))
            return path
        }

        /// Messages with this folder's path taken out.
        func local(_ text: String) -> String { text.replacingOccurrences(of: root + "/", with: "") }
    }

    static let context = StepContext(executionID: "exec-1", seq: 4, attempt: 2)

    /// The default limit only catches hangs (tests share 2 cores); timeout tests pass their own.
    func plugin(_ folders: [String], functions: [String: StepFunction] = [:], timeout: Double = 60,
                limits: LuaLimits = LuaLimits(memoryBytes: 64 << 20, instructions: 200_000_000)) -> LuaGatePlugin
    {
        LuaGatePlugin(searchPath: folders, functions: functions, limits: limits, timeout: timeout)
    }

    func measure(_ plugin: LuaGatePlugin, _ gate: String, _ args: LuaValue = .nil) async throws -> GateResult {
        let run = try #require(plugin.functions.first { $0.name == "run" })
        let value = try await run.call(["gate": .string(gate), "args": args], context: Self.context)
        return try LuaValueDecoder().decode(GateResult.self, from: value)
    }

    /// The StepFailure a measurement ended with, its message local to `folder`.
    func failure(_ plugin: LuaGatePlugin, _ gate: String, _ args: LuaValue = .nil, folder: Folder) async -> StepFailure? {
        do {
            let r = try await measure(plugin, gate, args)
            Issue.record("expected a failure, got \(r)")
        } catch let f as StepFailure {
            return StepFailure(f.name, folder.local(f.message), retryable: f.retryable)
        } catch {
            Issue.record("expected a StepFailure, got \(error)")
        }
        return nil
    }

    /// Runs `body` as the gate's function (line 1 is `return function(ctx, args)`).
    func gate(_ folder: Folder, _ name: String, _ body: String) throws {
        try folder.write(name + ".lua", "return function(ctx, args)\n" + body + "\nend\n")
    }

    func gate(_ folder: Folder, _ body: String) throws { try gate(folder, "g", body) }

    // MARK: results

    @Test func passFailAndInconclusiveComeBackWithTheirValue() async throws {
        let f = try Folder()
        try gate(f, """
              return { status = args.status, reason = "because " .. args.status,
                       value = { n = 3, ratio = 0.25, list = { 1, 2 }, nested = { ok = true }, who = ctx.execution_id } }
            """)
        let p = plugin([f.root])
        for status in [GateStatus.pass, .fail, .inconclusive] {
            let r = try await measure(p, "g", ["status": .string(status.rawValue)])
            #expect(r == GateResult(status, "because \(status.rawValue)", value: [
                "n": 3, "ratio": 0.25, "list": [1, 2], "nested": ["ok": true], "who": "exec-1",
            ]))
        }
    }

    @Test func argsAndTheExecutionReachTheGate() async throws {
        let f = try Folder()
        try gate(f, """
              local t = type(ctx.now())
              return { status = "pass", reason = "ok", value = { args = args, attempt = ctx.attempt,
                       id = ctx.execution_id, gate = ctx.gate, now = t, sane = ctx.now() > 1.6e9 } }
            """)
        let r = try await measure(plugin([f.root]), "g", ["url": "http://x", "samples": [1, 2.5, "three"]])
        #expect(r.value == [
            "args": ["url": "http://x", "samples": [1, 2.5, "three"]], "attempt": 2, "id": "exec-1", "gate": "g",
            "now": "number", "sane": true,
        ])
        // No args: the gate gets an empty table, so `args.x or default` works.
        let none = try await measure(plugin([f.root]), "g")
        #expect(none.value?["args"] == .table([:]))
    }

    @Test func aResultWithoutValueHasNone() async throws {
        let f = try Folder()
        try gate(f, "  print('printing goes to the log')\n  return { status = 'pass', reason = 'fine' }")
        #expect(try await measure(plugin([f.root]), "g") == GateResult(.pass, "fine"))
    }

    // MARK: ctx calls

    @Test func ctxCallsReadOnlyFunctionsByNameAndThroughSugar() async throws {
        let f = try Folder()
        try gate(f, """
              local a = ctx.call("route53.weights", { zone = "Z1" })
              local b = ctx.route53.weights{ zone = "Z2" }
              return { status = "pass", reason = "ok", value = { a = a, b = b } }
            """)
        let r = try await measure(plugin([f.root], functions: Fakes.standard()), "g")
        #expect(r.value == ["a": ["zone": "Z1", "blue": 90, "green": 10], "b": ["zone": "Z2", "blue": 90, "green": 10]])
    }

    @Test func aFunctionsFailureIsATableTheGateMayCatch() async throws {
        let f = try Folder()
        try gate(f, """
              local ok, err = pcall(ctx.route53.weights, { zone = "throttle" })
              local ok2, err2 = pcall(ctx.call, "route53.weights", { zone = 5 })
              return { status = "inconclusive", reason = "caught",
                       value = { ok = ok, name = err.name, message = err.message, where = err.where,
                                 name2 = err2.name, message2 = err2.message } }
            """)
        let r = try await measure(plugin([f.root], functions: Fakes.standard()), "g")
        #expect(r.value?["name"] == "Throttling")
        #expect(r.value?["message"] == "slow down")
        #expect(r.value?["ok"] == false)
        #expect(r.value?["where"].stringValue.map(f.local) == "g.lua:2")
        #expect(r.value?["name2"] == "InvalidArgument")
        #expect(r.value?["message2"].stringValue?.contains("route53.weights: bad argument 'zone'") == true)
    }

    @Test func anUncaughtFunctionFailureIsAGateErrorAtTheGatesLine() async throws {
        let f = try Folder()
        try gate(f, "  local x = 1\n  return ctx.route53.weights{ zone = 'throttle' }")
        let e = await failure(plugin([f.root], functions: Fakes.standard()), "g", folder: f)
        #expect(e?.name == "GateError")
        #expect(e?.retryable == true)
        #expect(e?.message == "gate 'g': g.lua:3: Throttling: slow down")
    }

    @Test func callsOutsideTheReadOnlySetAreRefusedClearly() async throws {
        let f = try Folder()
        try gate(f, "unknown", "  return ctx.call('route53.set_weight', { zone = 'Z' })")
        try gate(f, "writes", "  return ctx.call('route53.set_weights', { zone = 'Z' })")
        try gate(f, "nested", "  return ctx.call('gates.run', { gate = 'nested' })")
        try gate(f, "nohttp", "  return ctx.http.get('http://x')")
        var functions = Fakes.standard()
        functions["route53.set_weights"] = Fakes.setWeights
        let p = plugin([f.root], functions: functions)
        functions["gates.run"] = p.functions[0]
        let withGates = plugin([f.root], functions: functions)
        let unknown = await failure(withGates, "unknown", folder: f)
        #expect(unknown?.message == "gate 'unknown': unknown.lua:2: ctx.call: 'route53.set_weight' is not a function gates may call (gates may call: health.http_get, health.metric_data, route53.weights)")
        let writes = await failure(withGates, "writes", folder: f)
        #expect(writes?.message == "gate 'writes': writes.lua:2: ctx.call: 'route53.set_weights' changes the world; gates may only call read-only functions (gates may call: health.http_get, health.metric_data, route53.weights)")
        let nested = await failure(withGates, "nested", folder: f)
        #expect(nested?.message == "gate 'nested': nested.lua:2: ctx.call: 'gates.run' runs a Lua gate; a gate cannot run other Lua gates")
        let nohttp = await failure(plugin([f.root]), "nohttp", folder: f)
        #expect(nohttp?.message == "gate 'nohttp': nohttp.lua:2: ctx.http.get needs the function health.http_get, which is not available here (gates may call: none)")
    }

    @Test func ctxCallsStayInTheGatesOwnCoroutine() async throws {
        let f = try Folder()
        try gate(f, "co", "  local c = coroutine.wrap(function() return ctx.route53.weights{ zone = 'Z' } end)\n  return c()")
        try gate(f, "sort", "  local t = { 3, 1, 2 }\n  table.sort(t, function(a, b) ctx.route53.weights{ zone = 'Z' } return a < b end)")
        try gate(f, "bad", "  return ctx.route53.weights{ zone = function() end }")
        let p = plugin([f.root], functions: Fakes.standard())
        // coroutine.wrap adds the line that called it, as it does for any error it passes on.
        #expect(await failure(p, "co", folder: f)?.message == "gate 'co': co.lua:3: co.lua:2: ctx.route53.weights cannot be called from a coroutine the gate created: call it from the gate's function itself")
        #expect(await failure(p, "sort", folder: f)?.message.hasPrefix("gate 'sort': sort.lua:3: ctx.route53.weights cannot be called here") == true)
        #expect(await failure(p, "bad", folder: f)?.message == "gate 'bad': bad.lua:2: bad argument #1 to 'ctx.route53.weights' (a function cannot be passed to or stored by flow (at 'zone'))")
    }

    // MARK: errors and limits

    @Test func luaErrorsNameTheFileAndLine() async throws {
        let f = try Folder()
        try f.write("x.lua", "local t = nil\nreturn function(ctx, args)\n  local a = 1\n  return t.field\nend\n")
        let e = await failure(plugin([f.root]), "x", folder: f)
        #expect(e?.name == "GateError")
        #expect(e?.retryable == true)
        #expect(e?.message == "gate 'x': x.lua:4: attempt to index a nil value (upvalue 't')")
        try f.write("top.lua", "local a = 1\nerror('broken at load')\n")
        #expect(await failure(plugin([f.root]), "top", folder: f)?.message == "gate 'top': top.lua:2: broken at load")
    }

    @Test func aFileThatIsNotAGateIsInvalid() async throws {
        let f = try Folder()
        try f.write("table.lua", "return { status = 'pass' }")
        try f.write("nothing.lua", "local x = 1")
        try f.write("syntax.lua", "return function(ctx, args)\n  local = 1\nend")
        let p = plugin([f.root])
        let t = await failure(p, "table", folder: f)
        #expect(t?.name == "InvalidGate")
        #expect(t?.retryable == false)
        #expect(t?.message == "table.lua must return a function (ctx, args), got a table")
        #expect(await failure(p, "nothing", folder: f)?.message == "nothing.lua must return a function (ctx, args), got nothing")
        let s = await failure(p, "syntax", folder: f)
        #expect(s?.name == "InvalidGate")
        #expect(s?.message == "gate 'syntax': syntax.lua:2: <name> expected near '='")
    }

    @Test func anEndlessLoopStopsAtTheTimeLimitNamingTheFile() async throws {
        let f = try Folder()
        try gate(f, "spin", "  while true do end")
        try gate(f, "stubborn", "  while true do pcall(function() while true do end end) end")
        try f.write("top.lua", "while true do end\nreturn function() end")
        try gate(f, "slow", "  return ctx.http.get('http://slow')")
        let p = plugin([f.root], functions: Fakes.standard(), timeout: 0.5)
        for (name, line) in [("spin", 2), ("top", 1)] {
            let start = ContinuousClock.now
            let e = await failure(p, name, folder: f)
            #expect(ContinuousClock.now - start < .seconds(30))
            #expect(e?.name == "GateTimeout")
            #expect(e?.message == "gate '\(name)' (\(name).lua:\(line)) exceeded its time limit of 0.5 s")
        }
        let start = ContinuousClock.now
        let stubborn = await failure(p, "stubborn", folder: f)
        #expect(stubborn?.name == "GateTimeout")
        #expect(stubborn?.message.hasPrefix("gate 'stubborn' (stubborn.lua:2) exceeded its time limit of 0.5 s") == true)
        let slow = await failure(p, "slow", folder: f)
        #expect(slow?.message == "gate 'slow' (slow.lua:2) exceeded its time limit of 0.5 s waiting for health.http_get")
        // Bounds that catch a measurement that never stops, not a slow machine.
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func cancellingTheStepStopsAMeasurementWaitingOnACall() async throws {
        let f = try Folder()
        try gate(f, "slow", "  return ctx.http.get('http://slow')")
        let p = plugin([f.root], functions: Fakes.standard(), timeout: 30)
        let start = ContinuousClock.now
        let task = Task { try await measure(p, "slow") }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func theInstructionAndMemoryLimitsEndAMeasurement() async throws {
        let f = try Folder()
        try gate(f, "loop", "  local n = 0\n  while true do n = n + 1 end")
        try gate(f, "bomb", "  local t = {}\n  for i = 1, 1e9 do t[i] = ('x'):rep(1024) .. i end")
        let p = plugin([f.root], limits: LuaLimits(memoryBytes: 16 << 20, instructions: 1_000_000))
        let loop = await failure(p, "loop", folder: f)
        #expect(loop?.name == "GateLimit")
        // The line is the loop's; Lua's count hook may report the instruction before the jump.
        #expect(loop?.message.hasPrefix("gate 'loop' (loop.lua:") == true)
        #expect(loop?.message.hasSuffix(") exceeded its instruction limit of 1000000 instructions") == true)
        let bomb = await failure(plugin([f.root], limits: LuaLimits(memoryBytes: 16 << 20)), "bomb", folder: f)
        #expect(bomb?.name == "GateLimit")
        #expect(bomb?.message == "gate 'bomb' (bomb.lua:3) exceeded its memory limit of 16 MiB")
        // Contained: the next measurement starts afresh.
        try gate(f, "ok", "  return { status = 'pass', reason = 'fine' }")
        #expect(try await measure(p, "ok").status == .pass)
    }

    @Test func garbageResultsAreRefusedSayingWhatIsWrong() async throws {
        let f = try Folder()
        let cases: [(String, String)] = [
            ("return nil", "returned nil"),
            ("return", "returned nothing"),
            ("return 'pass'", "returned a string (\"pass\")"),
            ("return function() end", "returned a function"),
            ("return { 'pass', 'ok' }", "returned a list"),
            ("return { reason = 'r' }", "returned no status"),
            ("return { status = 'ok', reason = 'r' }", "returned status \"ok\", which is not \"pass\", \"fail\" or \"inconclusive\""),
            ("return { status = true, reason = 'r' }", "returned status = boolean, not a string"),
            ("return { status = 'pass' }", "returned no reason (a string saying why)"),
            ("return { status = 'pass', reason = 42 }", "returned reason = integer, not a string"),
            ("return { status = 'pass', reason = 'r', values = 1 }", "returned unknown key 'values' (a result has status, reason and value)"),
            ("return { status = 'pass', reason = 'r', value = { f = print } }", "returned a table flow cannot journal: a function cannot be passed to or stored by flow (at 'value.f')"),
        ]
        let p = plugin([f.root])
        for (i, (body, problem)) in cases.enumerated() {
            try f.write("r\(i).lua", "\nreturn function(ctx, args)\n  \(body)\nend\n")
            let e = await failure(p, "r\(i)", folder: f)
            #expect(e?.name == "InvalidGateResult")
            #expect(e?.retryable == false)
            #expect(e?.message == "gate 'r\(i)': the function at r\(i).lua:2 \(problem); a gate returns { status = \"pass\" | \"fail\" | \"inconclusive\", reason = \"...\", value = ... }")
        }
    }

    // MARK: finding gates

    @Test func aMissingGateListsTheFoldersSearched() async throws {
        let f = try Folder()
        let e = await failure(plugin([f.root + "/a", f.root + "/b"]), "nope", folder: f)
        #expect(e?.name == "GateNotFound")
        #expect(e?.retryable == false)
        #expect(e?.message == "no gate 'nope': nope.lua is not on the gate search path (searched a, b); add a folder with --plugins DIR or FLOW_PLUGIN_PATH")
    }

    @Test func badNamesAreRejectedBeforeAnythingRuns() async throws {
        let run = try #require(plugin(["/"]).functions.first)
        for name in ["../etc/passwd", "a/b", "", "x.lua", "é"] {
            #expect(throws: StepArgumentError.self) { try run.validate(["gate": .string(name)]) }
            do {
                try run.validate(["gate": .string(name)])
            } catch let e as StepArgumentError {
                #expect(e.path == ["gate"])
                #expect(e.problem.contains("letters, digits, '_' and '-'"))
            }
        }
        #expect(throws: StepArgumentError.self) { try run.validate(["gate": "ok", "args": "not a table"]) }
        #expect(throws: StepArgumentError.self) { try run.validate(["gate": "ok", "extra": 1]) }
        try run.validate(["gate": "error_rate-2_b", "args": ["x": 1]])
        #expect(run.isGate && run.readOnly)
    }

    @Test func theSandboxRefusesWhatAGateMustNotDoSayingWhy() async throws {
        let f = try Folder()
        let cases: [(String, String)] = [
            ("io.open('/etc/passwd')", "io is not available in gates: a gate measures through ctx (ctx.http.get, ctx.call)"),
            ("os.execute('true')", "os.execute is not available in gates: gates only measure; run commands from the workflow with flow.exec"),
            ("os.getenv('HOME')", "os.getenv is not available in gates: pass values in the gate's args"),
            ("os.remove('/tmp/x')", "os.remove is not available in gates: gates only measure"),
            ("require('socket')", "require is not available in gates: a gate is one file; what it may call is on ctx"),
            ("debug.getinfo(1)", "debug is not available in gates: it reaches past the sandbox"),
            ("dofile('/etc/x.lua')", "dofile is not available in gates: a gate is one file"),
            ("string.dump(print)", "string.dump is not available in gates: gates are loaded from source only"),
            ("load('\\27Lua', 'x', 'b')", "load: binary chunks are not allowed (mode must be \"t\")"),
        ]
        let p = plugin([f.root])
        for (i, (code, why)) in cases.enumerated() {
            try gate(f, "s\(i)", "  " + code)
            let e = await failure(p, "s\(i)", folder: f)
            #expect(e?.name == "GateError")
            #expect(e?.message == "gate 's\(i)': s\(i).lua:2: \(why)")
        }
        // What a gate may use: clocks and randomness (a gate is never replayed), text load.
        try gate(f, "ok", """
              local fn = load("return 1 + 1")
              return { status = "pass", reason = "ok",
                       value = { two = fn(), t = type(os.time()), r = math.random(1, 1), c = type(os.clock()) } }
            """)
        #expect(try await measure(p, "ok").value == ["two": 2, "t": "number", "r": 1, "c": "number"])
    }

    @Test func theSearchPathPutsPluginsFirstThenTheEnvironmentThenTheWorkflowsFolders() throws {
        let f = try Folder()
        try FileManager.default.createDirectory(atPath: f.root + "/team/plugins/gates", withIntermediateDirectories: true)
        let path = LuaGatePlugin.defaultSearchPath(
            workflowPath: "/srv/rollout/workflows/canary.lua",
            extra: ["/opt/gates", f.root + "/team/plugins"],
            environment: ["FLOW_PLUGIN_PATH": "/etc/flow/gates::/usr/share/flow/plugins/", "HOME": "/root"])
        #expect(path == [
            "/opt/gates", f.root + "/team/plugins/gates", "/etc/flow/gates", "/usr/share/flow/plugins",
            "/srv/rollout/plugins/gates", "/srv/rollout/workflows/gates", "plugins/gates",
        ])
        // A workflow in the working directory's workflows/: its ../plugins/gates is ./plugins/gates.
        #expect(LuaGatePlugin.defaultSearchPath(workflowPath: "workflows/canary.lua", extra: [], environment: [:])
            == ["plugins/gates", "workflows/gates"])
        #expect(LuaGatePlugin.defaultSearchPath(workflowPath: nil, extra: [], environment: [:]) == ["plugins/gates"])
    }

    @Test func theFirstGateOnThePathWins() async throws {
        let f = try Folder()
        try f.write("g.lua", "return function() return { status = 'fail', reason = 'team' } end", in: "team")
        try f.write("g.lua", "return function() return { status = 'pass', reason = 'shipped' } end", in: "shipped")
        try f.write("only.lua", "return function() return { status = 'pass', reason = 'shipped only' } end", in: "shipped")
        let p = plugin([f.root + "/team", f.root + "/shipped"])
        #expect(try await measure(p, "g").reason == "team")
        #expect(try await measure(p, "only").reason == "shipped only")
    }

    // MARK: shipped gates

    static let shipped: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("plugins/gates").path
    }()

    @Test(arguments: [
        // errors, requests -> status
        (2.0, 1000.0, GateStatus.pass), (50.0, 1000.0, .fail), (10.0, 1000.0, .pass), (11.0, 1000.0, .fail), (3.0, 19.0, .inconclusive),
    ])
    func errorRateJudgesTheFiveHundredsRatio(errors: Double, requests: Double, expected: GateStatus) async throws {
        let metrics = Fakes.Recorder()
        // Four datapoints each, newest last: the gate adds them up.
        let data = ["HTTPCode_Target_5XX_Count": Fakes.split(errors), "RequestCount": Fakes.split(requests)]
        let p = plugin([Self.shipped], functions: Fakes.standard(metrics: data, recorder: metrics))
        let r = try await measure(p, "error_rate", [
            "load_balancer": "app/green/123", "target_group": "targetgroup/green/abc", "region": "eu-west-1",
        ])
        #expect(r.status == expected)
        #expect(r.value?["errors"] == .int(Int64(errors)))
        #expect(r.value?["requests"] == .int(Int64(requests)))
        #expect(r.value?["rate"] == .double(errors / requests))
        if expected == .inconclusive {
            #expect(r.reason == "only 19 requests over the last 300 s (need 20 to judge the error rate)")
        }
        let calls = metrics.calls
        #expect(calls.count == 2)
        #expect(calls.first == [
            "namespace": "AWS/ApplicationELB", "metric": "HTTPCode_Target_5XX_Count",
            "dimensions": ["LoadBalancer": "app/green/123", "TargetGroup": "targetgroup/green/abc"],
            "stat": "Sum", "period": 60, "window": 300, "region": "eu-west-1",
        ])
    }

    @Test func errorRateTakesItsThresholdsFromArgs() async throws {
        let data = ["HTTPCode_Target_5XX_Count": [5.0], "RequestCount": [100.0]]
        let p = plugin([Self.shipped], functions: Fakes.standard(metrics: data))
        let args: LuaValue = ["load_balancer": "lb", "target_group": "tg", "max_rate": 0.1, "min_requests": 200]
        let r = try await measure(p, "error_rate", args)
        #expect(r.status == .inconclusive)
        let looser = try await measure(p, "error_rate", ["load_balancer": "lb", "target_group": "tg", "max_rate": 0.1])
        #expect(looser == GateResult(.pass, "5xx rate 5.00% is within 10.00%: 5 5xx in 100 requests over the last 300 s",
                                     value: ["errors": 5, "requests": 100, "rate": 0.05]))
        let f = try Folder()
        let e = await failure(p, "error_rate", ["target_group": "tg"], folder: f)
        #expect(e?.name == "GateError")
        #expect(e?.message.contains("args.load_balancer must be a non-empty string, got nil") == true)
        let typo = await failure(p, "error_rate", ["load_balancer": "lb", "target_group": "tg", "max_rat": 1], folder: f)
        #expect(typo?.message.contains("unknown argument 'max_rat'") == true)
    }

    @Test func httpLatencyJudgesAPercentileAndCountsFailures() async throws {
        // 1..20 ms: p95 by nearest rank is the 19th.
        let fast = plugin([Self.shipped], functions: Fakes.standard(http: (1...20).map { (200, Double($0)) }))
        let pass = try await measure(fast, "http_latency", ["url": "http://green/health", "samples": 20])
        #expect(pass == GateResult(.pass, "p95 latency 19.0 ms is within 500 ms", value: ["p95": 19.0, "samples": 20, "failures": 0]))
        let strict = try await measure(fast, "http_latency", ["url": "http://green/health", "samples": 20, "max_ms": 9, "percentile": 50])
        #expect(strict.status == .fail)
        #expect(strict.value?["p50"] == 10.0)
        let broken = plugin([Self.shipped], functions: Fakes.standard(http: [(200, 5), (503, 1), (200, 6)]))
        let fail = try await measure(broken, "http_latency", ["url": "http://green/health", "samples": 3])
        #expect(fail.status == .fail)
        #expect(fail.reason == "1 of 3 requests to http://green/health failed (expected status 200; last: status 503)")
        #expect(fail.value == ["p95": 6.0, "samples": 3, "failures": 1])
        let refused = plugin([Self.shipped], functions: Fakes.standard(http: [(-1, 0)]))
        let down = try await measure(refused, "http_latency", ["url": "http://green/health", "samples": 2])
        #expect(down.status == .fail)
        #expect(down.reason.hasSuffix("(expected status 200; last: connection refused)"))
    }

    @Test func theTemplateIsAWorkingGate() async throws {
        let p = plugin([Self.shipped], functions: Fakes.standard(http: [(200, 12.5)]))
        #expect(try await measure(p, "template", ["url": "http://green/health"])
            == GateResult(.pass, "answered in 12 ms", value: ["latency_ms": 12.5]))
    }

    /// The twin of the fake latency test: real HTTP requests to a server on 127.0.0.1.
    @Test func httpLatencyAgainstARealServer() async throws {
        let server = try LocalHTTPServer { request in
            request.path == "/health" ? .ok("ok") : LocalHTTPServer.Response(status: 503, body: "down")
        }
        defer { server.stop() }
        let p = plugin([Self.shipped], functions: ["health.http_get": Fakes.realHTTPGet])
        // Bounds far above a loopback request: this checks real requests pass, not their speed
        // (a loaded 2-CPU machine has taken over 2 s for one).
        let ok = try await measure(p, "http_latency", ["url": .string(server.baseURL + "/health"), "samples": 5, "max_ms": 30000,
                                                      "timeout": 30])
        #expect(ok.status == .pass)
        #expect(ok.value?["samples"] == 5)
        #expect(ok.value?["failures"] == 0)
        let down = try await measure(p, "http_latency", ["url": .string(server.baseURL + "/down"), "samples": 3])
        #expect(down.status == .fail)
        #expect(down.value?["failures"] == 3)
        #expect(down.reason.hasSuffix("last: status 503)"))
        #expect(server.requests.count == 8)
    }
}

/// Read-only functions standing in for the health and route53 plugins.
enum Fakes {
    /// What a fake was called with, across concurrent measurements.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [LuaValue] = []
        var calls: [LuaValue] { lock.withLock { recorded } }
        func add(_ v: LuaValue) { lock.withLock { recorded.append(v) } }
    }

    /// Canned HTTP answers, handed out in turn and round again.
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private let items: [(Int, Double)]
        private var next = 0
        init(_ items: [(Int, Double)]) { self.items = items }
        func take() -> (Int, Double) {
            lock.withLock {
                defer { next += 1 }
                return items[next % items.count]
            }
        }
    }

    struct WeightsInput: Decodable, Sendable { var zone: String }
    /// The shape health.metric_data accepts, so the shipped gates are checked against it.
    struct MetricDataInput: Decodable, Sendable {
        var namespace: String
        var metric: String
        var dimensions: [String: String]?
        var stat: String?
        var period: Int?
        var window: Int?
        var region: String?
    }
    struct HTTPInput: Decodable, Sendable {
        var url: String
        var timeout: Double?
    }
    struct HTTPOutput: Encodable, Sendable {
        var status: Int
        var body: String
        var latency_ms: Double
    }

    /// `x` as four datapoints, newest last (exact in binary for the values the tests use).
    static func split(_ x: Double) -> [Double] { Array(repeating: x / 4, count: 4) }

    static func standard(metrics: [String: [Double]] = [:], recorder: Recorder = Recorder(),
                         http: [(Int, Double)] = [(200, 1)]) -> [String: StepFunction]
    {
        let answers = Answers(http)
        return [
            "route53.weights": StepFunction.make(
                "weights", summary: "fake", idempotent: true, readOnly: true, input: WeightsInput.self
            ) { input, _ -> LuaValue in
                if input.zone == "throttle" { throw StepFailure("Throttling", "slow down") }
                return ["zone": .string(input.zone), "blue": 90, "green": 10]
            },
            "health.metric_data": StepFunction.make(
                "metric_data", summary: "fake", idempotent: true, readOnly: true, input: LuaValue.self,
                validate: { _ = try LuaValueDecoder().decode(MetricDataInput.self, from: $0) }
            ) { input, _ -> LuaValue in
                recorder.add(input)
                let values = metrics[input["metric"].stringValue ?? ""] ?? []
                return ["values": .array(values.map { .double($0) }),
                        "timestamps": .array(values.indices.map { .int(Int64(1_700_000_000 + 60 * $0)) })]
            },
            "health.http_get": StepFunction.make(
                "http_get", summary: "fake", idempotent: true, readOnly: true, input: HTTPInput.self
            ) { input, _ -> HTTPOutput in
                if input.url == "http://slow" {
                    try await Task.sleep(for: .seconds(10))
                }
                let (status, latency) = answers.take()
                if status < 0 { throw StepFailure("ConnectionRefused", "connection refused") }
                return HTTPOutput(status: status, body: "", latency_ms: latency)
            },
        ]
    }

    static let setWeights = StepFunction.make(
        "set_weights", summary: "fake writer", idempotent: true, readOnly: false, input: WeightsInput.self
    ) { _, _ -> LuaValue in .nil }

    /// A real GET with Foundation's client, timed.
    static let realHTTPGet = StepFunction.make(
        "http_get", summary: "real GET", idempotent: true, readOnly: true, input: HTTPInput.self
    ) { input, _ -> HTTPOutput in
        guard let url = URL(string: input.url) else { throw StepFailure("InvalidURL", input.url, retryable: false) }
        var request = URLRequest(url: url)
        request.timeoutInterval = input.timeout ?? 5
        let start = ContinuousClock.now
        let (data, response) = try await URLSession.shared.data(for: request)
        let (s, attos) = (ContinuousClock.now - start).components
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return HTTPOutput(status: status, body: String(decoding: data, as: UTF8.self),
                          latency_ms: Double(s) * 1000 + Double(attos) / 1e15)
    }
}
