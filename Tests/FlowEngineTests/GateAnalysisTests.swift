import Foundation
import Testing
import FlowLua
@testable import FlowEngine

/// A gate whose measurements follow a script: "pass", "fail", "inconclusive", "error"
/// (retryable), "fatal" (not retryable); the last entry repeats.
struct ScriptedGatePlugin: StepPlugin {
    let script: [String]
    let calls = CounterPlugin.Calls()
    let name = "probe"
    let summary = "scripted gate"

    struct Input: Decodable, Sendable { var target: String }

    var functions: [StepFunction] {
        let script = self.script, calls = self.calls
        return [StepFunction.gate("check", summary: "a scripted measurement", input: Input.self) { input, _ in
            calls.add(input.target)
            let n = calls.all.count
            switch script[min(n, script.count) - 1] {
            case "pass": return GateResult(.pass, "measurement \(n) passed", value: .int(Int64(n)))
            case "fail": return GateResult(.fail, "measurement \(n) failed", value: .int(Int64(n)))
            case "inconclusive": return GateResult(.inconclusive, "measurement \(n) unsure")
            case "error": throw StepFailure("Throttling", "slow down")
            default: throw StepFailure("TargetGroupNotFound", "no such group", retryable: false)
            }
        }]
    }
}

/// Gives scripts a `twice` function written in Lua over the natives, as plugins like failback do.
struct LuaGluePlugin: StepPlugin {
    let counter = CounterPlugin()
    let name = "glue"
    let summary = "a plugin with Lua"
    var functions: [StepFunction] { counter.functions }
    var luaSource: String? {
        """
        local M, flow = ...
        function M.twice(args)
          flow.on_failure(function() M.set{ zone = "undo", weights = {} } end)
          M.set(args)
          return M.set(args)
        end
        return M
        """
    }
}

@Suite struct GateAnalysisTests {
    func harness(_ script: [String]) throws -> (WorkflowHarness, ScriptedGatePlugin) {
        let h = try WorkflowHarness()
        let plugin = ScriptedGatePlugin(script: script)
        h.registry.register(plugin)
        return (h, plugin)
    }

    func gateRecords(_ h: WorkflowHarness, _ id: String = "t") throws -> Int {
        try h.entries(id).filter {
            switch $0 {
            case .intent(let i): i.name == "probe.check"
            case .completed, .failed: true
            default: false
            }
        }.count
    }

    @Test func oneMeasurementPassesAndReturnsTheVerdictWithItsValue() async throws {
        let (h, plugin) = try harness(["pass"])
        let script = h.write("w.lua", """
            local probe = require "flow.probe"
            local r = probe.check{ target = "tg" }
            return { status = r.status, reason = r.reason, value = r.value, n = r.measurements }
            """)
        let outcome = try await h.run(script)
        #expect(outcome == .succeeded(["status": "pass", "reason": "measurement 1 passed", "value": 1, "n": 1]))
        #expect(plugin.calls.all == ["tg"])
    }

    @Test func aFailedMeasurementEndsTheWindowAtOnceAndFailsTheWorkflowThroughItsHandlers() async throws {
        let (h, plugin) = try harness(["pass", "pass", "fail", "pass"])
        let script = h.write("w.lua", """
            local probe = require "flow.probe"
            flow.on_failure(function() flow.step("failback", function() return "restored" end) end)
            probe.check{ target = "tg", every = 0.01, count = 500 }
            return "unreachable"
            """)
        // Three calls, not 500: the step ended at the failing measurement.
        let outcome = try await h.run(script)
        guard case .failed(let e) = outcome else { Issue.record("\(outcome)"); return }
        #expect(e.name == "GateFailed")
        #expect(e.message == "probe.check: measurement 3 failed")
        #expect(plugin.calls.all.count == 3)
        #expect(h.events.contains { if case .stepSucceeded(_, _, "failback", _, _, _) = $0 { true } else { false } })
    }

    @Test func failuresWithinTheLimitPassAndSayHowManyFailed() async throws {
        let (h, plugin) = try harness(["pass", "fail", "pass"])
        let script = h.write("w.lua", """
            local r = (require "flow.probe").check{ target = "tg", every = 0.01, count = 3, failure_limit = 1 }
            return { r.status, r.failures, r.reason }
            """)
        let outcome = try await h.run(script)
        guard case .succeeded(.array(let v)) = outcome else { Issue.record("\(outcome)"); return }
        #expect(v[0] == "pass" && v[1] == 1)
        #expect(v[2].stringValue?.contains("1 failed and 0 inconclusive") == true)
        #expect(plugin.calls.all.count == 3)
    }

    @Test func untilPassWaitsForAPassAndTimesOutWithWhatItLastSaw() async throws {
        let (h, plugin) = try harness(["fail", "inconclusive", "pass"])
        let script = h.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", every = 0.01, count = 100, ["until"] = "pass" }.measurements
            """)
        #expect(try await h.run(script) == .succeeded(3))
        #expect(plugin.calls.all.count == 3)

        let (h2, _) = try harness(["fail"])
        let never = h2.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", every = 0.01, ["for"] = 0.05, ["until"] = "pass" }
            """)
        guard case .failed(let e) = try await h2.run(never) else { Issue.record("expected a failure"); return }
        #expect(e.message.hasPrefix("probe.check: did not pass within 0.05 s: measurement"))
    }

    @Test func measurementErrorsAreRetriedUpToTheLimitThenFailTheStep() async throws {
        let (h, plugin) = try harness(["error", "error", "pass"])
        let script = h.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", every = 0.01 }.errors
            """)
        #expect(try await h.run(script) == .succeeded(2))
        #expect(plugin.calls.all.count == 3)

        let (h2, plugin2) = try harness(["error"])
        let failing = h2.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", every = 0.01, consecutive_errors = 2 }
            """)
        guard case .failed(let e) = try await h2.run(failing) else { Issue.record("expected a failure"); return }
        #expect(e.name == "Throttling")
        #expect(e.message == "3 measurement errors in a row; last: slow down")
        #expect(plugin2.calls.all.count == 3)
    }

    @Test func aNonRetryableErrorEndsTheGateAtOnce() async throws {
        let (h, plugin) = try harness(["fatal"])
        let script = h.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", every = 0.01, ["for"] = 5 }
            """)
        guard case .failed(let e) = try await h.run(script) else { Issue.record("expected a failure"); return }
        #expect(e.name == "TargetGroupNotFound")
        #expect(plugin.calls.all.count == 1)
    }

    @Test func manyMeasurementsKeepOneIntentAndOneOutcomeInTheJournal() async throws {
        let (h, plugin) = try harness(["pass"])
        let script = h.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", every = 0.002, count = 40 }.measurements
            """)
        guard case .succeeded(.int(let n)) = try await h.run(script) else { Issue.record("expected a count"); return }
        #expect(n == 40)
        #expect(Int(n) == plugin.calls.all.count)
        #expect(try gateRecords(h) == 2)
    }

    @Test func onFailReturnHandsTheVerdictToTheScript() async throws {
        let (h, _) = try harness(["fail"])
        let script = h.write("w.lua", """
            local r = (require "flow.probe").check{ target = "tg", on_fail = "return" }
            return r.status .. ": " .. r.reason
            """)
        #expect(try await h.run(script) == .succeeded("fail: measurement 1 failed"))
    }

    @Test func anInconclusiveVerdictPausesUntilPromoted() async throws {
        let (h, _) = try harness(["inconclusive"])
        let script = h.write("w.lua", """
            local r = (require "flow.probe").check{ target = "tg" }
            return { r.status, r.promoted }
            """)
        let inbox = Inbox(directory: h.home.inboxDirectory(of: "t"))
        let promoter = Task {
            for _ in 0..<500 {
                if h.events.contains(where: { if case .waiting(_, .signal, "promote", _) = $0 { true } else { false } }) { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            _ = try inbox.post(InboxMessage(kind: .signal, name: "promote", data: nil, from: "test", reason: nil, at: WallClock.now()))
        }
        let outcome = try await h.run(script)
        try await promoter.value
        #expect(outcome == .succeeded(["pass", true]))
    }

    @Test func anInconclusiveVerdictNotPromotedInTimeFails() async throws {
        let (h, _) = try harness(["inconclusive"])
        let script = h.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", pause_timeout = 0.05 }
            """)
        guard case .failed(let e) = try await h.run(script) else { Issue.record("expected a failure"); return }
        #expect(e.name == "GateFailed")
        #expect(e.message == "probe.check: inconclusive and not promoted within 0.05 s: measurement 1 unsure")
    }

    @Test func badAnalysisOptionsNameTheOptionAndTheLine() async throws {
        let (h, _) = try harness(["pass"])
        let script = h.write("w.lua", """
            local probe = require "flow.probe"
            probe.check{ target = "tg", every = -1 }
            """)
        guard case .failed(let e) = try await h.run(script) else { Issue.record("expected a failure"); return }
        #expect(h.local(e.message) == "w.lua:2: bad argument 'every' to 'probe.check' (must be a number of seconds > 0)")
    }

    @Test func aPluginsLuaWrapsItsNativesAndStepsAreBlamedOnTheScriptsLine() async throws {
        let h = try WorkflowHarness()
        let plugin = LuaGluePlugin()
        h.registry.register(plugin)
        let script = h.write("w.lua", """
            local glue = require "flow.glue"
            local r = glue.twice{ zone = "z", weights = { blue = 1 } }
            flow.fail("after " .. r.call)
            """)
        guard case .failed(let e) = try await h.run(script) else { Issue.record("expected a failure"); return }
        #expect(h.local(e.message) == "w.lua:3: after 2")
        #expect(plugin.counter.calls.all == ["set:z", "set:z", "set:undo"])
        let locations = try h.entries("t").compactMap { entry -> String? in
            if case .intent(let i) = entry { return h.local(i.location) } else { return nil }
        }
        // The handler's step has no script frame above it: it is blamed on the plugin's own line.
        #expect(locations == ["w.lua:2", "w.lua:2", "flow.glue:3"])
    }

    @Test func settingsAreJournaledAndAResumeCannotMoveToAnotherRegion() async throws {
        let h = try WorkflowHarness()
        let script = h.write("w.lua", "flow.sleep(0)\nreturn 1")
        var options = h.options()
        options.settings = StepSettings(region: "eu-west-1")
        _ = try await ExecutionRunner(.start(script: script, id: "r", params: [:]), options: options).run()
        guard case .started(let s) = try h.entries("r").first else { Issue.record("no start record"); return }
        #expect(s.settings == ["region": "eu-west-1"])
        try h.crashCopy(from: "r", to: "r2", records: 1)
        var other = h.options()
        other.settings = StepSettings(region: "us-east-1")
        await #expect(throws: RunError.self) {
            _ = try await ExecutionRunner(.resume(id: "r2"), options: other).run()
        }
        #expect(try await h.resume("r2") == .succeeded(1))
    }

    @Test func untilPassWithACountSaysHowManyItTook() async throws {
        let (h, plugin) = try harness(["fail"])
        let script = h.write("w.lua", """
            return (require "flow.probe").check{ target = "tg", every = 0.001, count = 4, ["until"] = "pass" }
            """)
        guard case .failed(let e) = try await h.run(script) else { Issue.record("expected a failure"); return }
        #expect(e.message == "probe.check: did not pass in 4 measurements: measurement 4 failed")
        #expect(plugin.calls.all.count == 4)
    }

    @Test func aFunctionThatHandlesItsOwnTimeoutReceivesIt() async throws {
        let h = try WorkflowHarness()
        h.registry.register(TimeoutTakingPlugin())
        let script = h.write("w.lua", """
            local w = require "flow.waiter"
            return w.wait{ timeout = 42 }
            """)
        #expect(try await h.run(script) == .succeeded(42))
    }
}

/// Receives `timeout` itself instead of the engine taking it.
struct TimeoutTakingPlugin: StepPlugin {
    struct Input: Decodable, Sendable { var timeout: Double }
    let name = "waiter"
    let summary = "owns its timeout"
    var functions: [StepFunction] {
        [StepFunction.make("wait", summary: "echoes its timeout", idempotent: true, handlesTimeout: true, input: Input.self) { input, _ in
            Int(input.timeout)
        }]
    }
}
