import Testing
import FlowLua
@testable import FlowEngine

/// The runner asks the replay machine without a location closure and locates a mismatch after:
/// the answers are those of `request(kind:name:digest:location:)`, and the location is looked
/// for only when a mismatch needs it.
@Suite struct ReplayLocationTests {
    let started = JournalEntry.started(ExecutionStarted(id: "e", workflow: "w.lua", scriptDigest: "d", params: [:], randomSeed: 1, at: 0, host: "h", pid: 1))

    func intent(_ seq: Int, _ name: String, digest: UInt64 = 7) -> JournalEntry {
        .intent(StepIntent(seq: seq, attempt: 1, kind: .native, name: name, digest: digest, location: "w.lua:\(seq)", args: .nil, at: 0, deadline: nil))
    }
    func done(_ seq: Int, _ value: LuaValue) -> JournalEntry {
        .completed(StepCompleted(seq: seq, attempt: 1, value: value, at: 1, consumed: nil))
    }
    let finished = JournalEntry.finished(ExecutionFinished(status: .succeeded, value: .nil, error: nil, at: 2))

    /// Each request of `requests` on a machine over `entries`, both ways; and how often the
    /// location was asked for.
    func both(_ entries: [JournalEntry], _ requests: [(String, UInt64)]) throws
        -> (closure: [(Int, ReplayMachine.Decision)], located: [(Int, ReplayMachine.Decision)], asked: Int)
    {
        var a = ReplayMachine(journal: try JournalState(entries: [started] + entries))
        var b = a
        var asked = 0
        var closure: [(Int, ReplayMachine.Decision)] = []
        var located: [(Int, ReplayMachine.Decision)] = []
        for (i, (name, digest)) in requests.enumerated() {
            closure.append(a.request(kind: .native, name: name, digest: digest, location: "s.lua:\(i + 1)"))
            var (seq, decision) = b.request(kind: .native, name: name, digest: digest)
            if case .mismatch = decision {
                decision.locateScriptSide {
                    asked += 1
                    return "s.lua:\(i + 1)"
                }
            }
            located.append((seq, decision))
        }
        return (closure, located, asked)
    }

    @Test func replayedAndNewStepsNeverLookForTheLocation() throws {
        let r = try both([intent(1, "a"), done(1, 1), intent(2, "b"), done(2, 2)], [("a", 7), ("b", 7), ("c", 7)])
        #expect(r.asked == 0)
        #expect(r.closure.count == 3)
        for (x, y) in zip(r.closure, r.located) { #expect(x == y) }
    }

    @Test func aMismatchIsLocatedAsTheClosureWouldLocateIt() throws {
        let r = try both([intent(1, "a"), done(1, 1), intent(2, "b"), done(2, 2)], [("a", 7), ("other", 7)])
        #expect(r.asked == 1)
        for (x, y) in zip(r.closure, r.located) { #expect(x == y) }
        guard case .mismatch(let e) = r.located[1].1 else { Issue.record("no mismatch"); return }
        #expect(e.now?.location == "s.lua:2")
        #expect(e.recorded?.location == "w.lua:2")
        #expect(e.description.contains("at s.lua:2"))
    }

    @Test func aStepAfterTheFinishedJournalIsLocatedToo() throws {
        let r = try both([intent(1, "a"), done(1, 1), finished], [("a", 7), ("extra", 7)])
        #expect(r.asked == 1)
        for (x, y) in zip(r.closure, r.located) { #expect(x == y) }
        guard case .mismatch(let e) = r.located[1].1 else { Issue.record("no mismatch"); return }
        #expect(e.recorded == nil)
        #expect(e.now?.location == "s.lua:2")
    }

    @Test func locatingLeavesOtherDecisionsAlone() {
        var decisions: [ReplayMachine.Decision] = [.execute(attempt: 1), .stopBody, .retry(attempt: 2, at: 5),
                                                   .replay(.completed(1, consumed: nil))]
        let before = decisions
        for i in decisions.indices { decisions[i].locateScriptSide { Issue.record("asked"); return "" } }
        #expect(decisions == before)
        // A mismatch without the script's side (the script ended first) has nothing to locate.
        var ended = ReplayMachine.Decision.mismatch(DeterminismError(seq: 2, recorded: nil, now: nil, recordedStepCount: 1))
        ended.locateScriptSide { Issue.record("asked"); return "" }
        #expect(ended == .mismatch(DeterminismError(seq: 2, recorded: nil, now: nil, recordedStepCount: 1)))
    }
}
