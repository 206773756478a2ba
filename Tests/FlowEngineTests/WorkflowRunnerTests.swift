import Testing
import FlowLua
@testable import FlowEngine

@Suite struct WorkflowRunnerTests {
    @Test func aWorkflowRunsItsStepsAndReturnsItsValue() async throws {
        let h = try WorkflowHarness()
        let script = h.write("w.lua", """
            local p = flow.params{ n = 2 }
            local a = flow.step("double", function() return p.n * 2 end)
            local r = flow.exec{ cmd = { "printf", "%s", "x" } }
            return { a = a, out = r.stdout, code = r.code }
            """)
        let outcome = try await h.run(script, params: ["n": "21"])
        #expect(outcome == .succeeded(["a": 42, "out": "x", "code": 0]))
        let kinds = try h.entries("t").map { "\($0)".prefix(8) }
        #expect(kinds.count == 6)  // started, 2 x (intent, completed), finished
    }

    @Test func resumingAfterACrashReplaysResultsWithoutRunningThemAgain() async throws {
        let h = try WorkflowHarness()
        let plugin = CounterPlugin()
        h.registry.register(plugin)
        let script = h.write("w.lua", """
            local c = require "flow.counter"
            local out = {}
            for i = 1, 3 do
              out["c" .. i] = c.set{ zone = "z" .. i, weights = { blue = 100 - i, green = i } }.call
            end
            out.r = math.random(1, 1000000)
            out.f = flow.random()
            out.t = flow.now()
            out.d = os.date("!%Y", os.time())
            return out
            """)
        let firstOutcome = try await h.run(script, id: "full")
        guard case .succeeded(let first) = firstOutcome else { Issue.record("\(firstOutcome)"); return }
        #expect(plugin.calls.all == ["set:z1", "set:z2", "set:z3"])
        // Crash right after the second call's outcome: started + 2 x (intent, completed).
        try h.crashCopy(from: "full", to: "crashed", records: 5)
        let resumed = try await h.resume("crashed")
        guard case .succeeded(let second) = resumed else { Issue.record("\(resumed) \(h.events)"); return }
        #expect(plugin.calls.all == ["set:z1", "set:z2", "set:z3", "set:z3"])
        #expect(second["r"] == first["r"], "math.random is seeded from the journal")
        #expect(second["c3"] == .int(4), "the step after the crash ran again, as the 4th call")
        // Crash after everything but the final record: nothing runs again, same values.
        let total = try h.entries("full").count
        try h.crashCopy(from: "full", to: "late", records: total - 1)
        #expect(try await h.resume("late") == .succeeded(first))
        #expect(plugin.calls.all.count == 4)
    }

    @Test func aChangedScriptIsRefusedThenStoppedAtTheFirstDifferentStep() async throws {
        let h = try WorkflowHarness()
        let path = h.write("w.lua", "flow.step('a', function() return 1 end)\nflow.step('b', function() return 2 end)\n")
        _ = try await h.run(path, id: "full")
        try h.crashCopy(from: "full", to: "c", records: 3)
        _ = h.write("w.lua", "flow.step('a', function() return 1 end)\nflow.step('B', function() return 2 end)\n")
        // The crash copy's script copy is the original; the path now holds the new one.
        await #expect { try await h.resume("c") } throws: { error in
            guard let e = error as? RunError else { return false }
            return e.code == .determinism && e.message.contains("changed since execution 'c' started")
        }
        try h.crashCopy(from: "full", to: "d", records: 5)
        await #expect { try await h.resume("d", allowChanged: true) } throws: { error in
            guard let e = error as? RunError else { return false }
            return e.code == .determinism && e.message.contains("determinism error at step 2")
                && e.message.contains("recorded: step 'b'") && e.message.contains("now:      step 'B'")
        }
    }

    @Test func badPluginArgumentsNameTheArgumentTheFunctionAndTheLine() async throws {
        let h = try WorkflowHarness()
        let plugin = CounterPlugin()
        h.registry.register(plugin)
        let script = h.write("w.lua", """
            local c = require "flow.counter"
            local ok, e1 = pcall(function() local r = c.set{ zone = "z", weights = {}, wieghts = {} } return r end)
            local ok2, e2 = pcall(function() local r = c.set{ zone = "z", weights = { blue = "x" } } return r end)
            local ok3, e3 = pcall(function() local r = c.set{ zone = "z", weights = { blue = 300 } } return r end)
            local ok4, e4 = pcall(function() local r = require "flow.nope" return r end)
            return { e1, e2, e3, e4 }
            """)
        let outcome = try await h.run(script)
        guard case .succeeded(.array(let messages)) = outcome else { Issue.record("\(outcome)"); return }
        let text = messages.map { h.local($0.stringValue ?? "") }
        #expect(text[0].hasPrefix("w.lua:2: bad argument #1 to 'counter.set' (unknown argument 'wieghts'"))
        #expect(text[1] == "w.lua:3: bad argument 'weights.blue' to 'counter.set' (number expected, got string)")
        #expect(text[2] == "w.lua:4: bad argument 'weights' to 'counter.set' (weights must be 0-255)")
        #expect(text[3] == "w.lua:5: module 'flow.nope' not found (available: flow.counter)")
        #expect(plugin.calls.all.isEmpty)
        #expect(try h.entries("t").count == 2, "bad calls journal nothing")
    }

    @Test func stepErrorsAreTablesWithANameAndRetriesFollowThePolicy() async throws {
        let h = try WorkflowHarness()
        let plugin = CounterPlugin()
        h.registry.register(plugin)
        let script = h.write("w.lua", """
            local c = require "flow.counter"
            local ok, err = pcall(c.fail, { retry = { max_attempts = 3, initial = 0.01, jitter = "none" } })
            local ok2, err2 = pcall(c.fail, { name = "Fatal", retry = { max_attempts = 3, non_retryable = { "Fatal" } } })
            return { err.name, err.message, tostring(err), err2.name }
            """)
        let outcome = try await h.run(script)
        #expect(outcome == .succeeded(["Throttling", "rate exceeded", "Throttling: rate exceeded", "Fatal"]))
        #expect(plugin.calls.all == ["fail", "fail", "fail", "fail"])
        let retries = try h.entries("t").compactMap { e -> Millis? in
            if case .failed(let f) = e { return f.retryAt } else { return nil }
        }
        #expect(retries.count == 2)
    }

    @Test func compensationRunsNewestFirstOnceWhenTheBodyFails() async throws {
        let h = try WorkflowHarness()
        let plugin = CounterPlugin()
        h.registry.register(plugin)
        let script = h.write("w.lua", """
            local c = require "flow.counter"
            flow.on_failure(function() c.set{ zone = "first", weights = {} } end)
            c.set{ zone = "body", weights = {} }
            flow.on_failure(function() c.set{ zone = "second", weights = {} } end)
            flow.fail("green is unhealthy")
            """)
        let outcome = try await h.run(script)
        guard case .failed(let e) = outcome else { Issue.record("\(outcome)"); return }
        #expect(h.local(e) == StepError(name: "Failed", message: "w.lua:5: green is unhealthy"))
        #expect(plugin.calls.all == ["set:body", "set:second", "set:first"])
        // A crash in the middle of compensation resumes it without repeating finished steps.
        let all = try h.entries("t")
        let compIndex = try #require(all.firstIndex { if case .compensating = $0 { true } else { false } })
        try h.crashCopy(from: "t", to: "c", records: compIndex + 3)  // compensating + first handler's step
        #expect(try await h.resume("c") == outcome)
        #expect(plugin.calls.all == ["set:body", "set:second", "set:first", "set:first"])
    }
}
