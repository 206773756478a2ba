import Testing
import FlowLua
@testable import FlowEngine

/// A script's top-level `return flow.step(...)` is a Lua tail call: the main chunk's frame is gone
/// when the prelude asks where the step was called from. Its location names the script, never the
/// prelude ("flow:NN"), on a first run, a resume and a replay alike.
@Suite struct TailCallLocationTests {
    static let tail = "w.lua:(...tail calls...)"

    func intentLocations(_ h: WorkflowHarness, _ id: String) throws -> [String] {
        try h.entries(id).compactMap { entry in
            if case .intent(let i) = entry { return h.local(i.location) } else { return nil }
        }
    }

    /// started, intent a, completed a, intent b, completed b, finished.
    func twoSteps(_ h: WorkflowHarness) -> String {
        h.write("w.lua", """
            flow.step("a", function() return 1 end)
            return flow.step("b", function() return 2 end)
            """)
    }

    @Test func aTopLevelReturnOfAStepIsJournaledWithTheScriptsName() async throws {
        let h = try WorkflowHarness()
        let outcome = try await h.run(twoSteps(h))
        #expect(outcome == .succeeded(2))
        #expect(try intentLocations(h, "t") == ["w.lua:1", Self.tail])
    }

    @Test func aTailCallInsideAFunctionStillGivesTheCallersLine() async throws {
        let h = try WorkflowHarness()
        let script = h.write("w.lua", """
            local function deploy(name)
              return flow.step(name, function() return name end)
            end
            local r = deploy("one")
            return r .. deploy("two")
            """)
        #expect(try await h.run(script) == .succeeded("onetwo"))
        #expect(try intentLocations(h, "t") == ["w.lua:4", "w.lua:5"])
    }

    @Test func callsThatAreNotTailCallsAreUnchanged() async throws {
        let h = try WorkflowHarness()
        let script = h.write("w.lua", """
            local a = flow.step("a", function() return 1 end)
            local b = flow.step("b", function() return 2 end)
            return a + b
            """)
        #expect(try await h.run(script) == .succeeded(3))
        #expect(try intentLocations(h, "t") == ["w.lua:1", "w.lua:2"])
    }

    @Test func aHandlerThatTailCallsIsBlamedOnTheScript() async throws {
        let h = try WorkflowHarness()
        let script = h.write("w.lua", """
            flow.on_failure(function() return flow.step("undo", function() return 0 end) end)
            flow.step("a", function() return 1 end)
            flow.fail("boom")
            """)
        guard case .failed(let e) = try await h.run(script) else { Issue.record("expected a failure"); return }
        #expect(h.local(e.message) == "w.lua:3: boom")
        #expect(try intentLocations(h, "t") == ["w.lua:2", Self.tail])
    }

    @Test func aResumeLocatesTheTailCallTheSameWayWithoutADivergence() async throws {
        let h = try WorkflowHarness()
        let outcome = try await h.run(twoSteps(h), id: "full")
        #expect(outcome == .succeeded(2))
        #expect(try h.entries("full").count == 6)
        // After a's outcome (b runs on resume), with b in flight (it runs again), and after
        // b's outcome, all but the final record (it replays): each resume ends as the first run
        // did, b located alike.
        for records in [3, 4, 5] {
            let id = "c\(records)"
            try h.crashCopy(from: "full", to: id, records: records)
            #expect(try await h.resume(id) == outcome, "crash after \(records) records")
            let locations = try intentLocations(h, id)
            #expect(locations.first == "w.lua:1" && locations.dropFirst().allSatisfy { $0 == Self.tail }, "\(locations)")
        }
    }

    @Test func aReplayOnlyRunReplaysTheTailCallAndReportsWhereItsHistoryEnds() async throws {
        let h = try WorkflowHarness()
        let outcome = try await h.run(twoSteps(h), id: "full")
        let total = try h.entries("full").count
        var options = h.options()
        options.replayOnly = true
        try h.crashCopy(from: "full", to: "whole", records: total - 1)
        #expect(try await ExecutionRunner(.resume(id: "whole"), options: options).run() == outcome)
        try h.crashCopy(from: "full", to: "short", records: 3)
        await #expect { try await ExecutionRunner(.resume(id: "short"), options: options).run() } throws: { error in
            guard case .historyEnds(let next)? = error as? ReplayOnlyStop else { return false }
            return next.seq == 2 && next.name == "b" && h.local(next.location) == Self.tail
        }
    }

    @Test func aDeterminismReportNamesTheScriptForATailCall() async throws {
        let h = try WorkflowHarness()
        _ = try await h.run(twoSteps(h), id: "full")
        try h.crashCopy(from: "full", to: "d", records: 5)
        _ = h.write("w.lua", """
            flow.step("a", function() return 1 end)
            return flow.step("B", function() return 2 end)
            """)
        await #expect { try await h.resume("d", allowChanged: true) } throws: { error in
            guard let e = error as? RunError, e.code == .determinism else { return false }
            let lines = h.local(e.message).split(separator: "\n")
            let recorded = lines.first { $0.hasPrefix("  recorded: step 'b' ") }
            let now = lines.first { $0.hasPrefix("  now:      step 'B' ") }
            return recorded?.hasSuffix(" at \(Self.tail)") == true && now?.hasSuffix(" at \(Self.tail)") == true
        }
    }
}
