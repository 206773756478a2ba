import Testing
import FlowLua
@testable import FlowEngine

/// The replay core is a pure state machine: these tests feed it journals and requests, no I/O.
@Suite struct ReplayMachineTests {
    let started = JournalEntry.started(ExecutionStarted(id: "e", workflow: "w.lua", scriptDigest: "d", params: [:], randomSeed: 1, at: 0, host: "h", pid: 1))

    func intent(_ seq: Int, _ name: String, attempt: Int = 1, kind: StepKind = .native, digest: UInt64 = 7, deadline: Millis? = nil) -> JournalEntry {
        .intent(StepIntent(seq: seq, attempt: attempt, kind: kind, name: name, digest: digest, location: "w.lua:\(seq)", args: .nil, at: 0, deadline: deadline))
    }
    func done(_ seq: Int, _ value: LuaValue, attempt: Int = 1) -> JournalEntry {
        .completed(StepCompleted(seq: seq, attempt: attempt, value: value, at: 1, consumed: nil))
    }
    func failed(_ seq: Int, attempt: Int = 1, retryAt: Millis?) -> JournalEntry {
        .failed(StepFailed(seq: seq, attempt: attempt, error: StepError(name: "Boom", message: "x"), at: 1, retryAt: retryAt))
    }
    func machine(_ entries: [JournalEntry]) throws -> ReplayMachine {
        ReplayMachine(journal: try JournalState(entries: [started] + entries))
    }

    @Test func journaledStepsReplayThenTheNextOneExecutes() throws {
        var m = try machine([intent(1, "a"), done(1, 10), intent(2, "b"), done(2, 20)])
        #expect(m.isReplaying)
        #expect(m.request(kind: .native, name: "a", digest: 7, location: "w.lua:1") == (1, .replay(.completed(10, consumed: nil))))
        #expect(m.request(kind: .native, name: "b", digest: 7, location: "w.lua:2") == (2, .replay(.completed(20, consumed: nil))))
        #expect(!m.isReplaying)
        #expect(m.request(kind: .native, name: "c", digest: 7, location: "w.lua:3") == (3, .execute(attempt: 1)))
    }

    @Test func aStepInFlightAtTheCrashRunsAgainAsTheSameAttempt() throws {
        var m = try machine([intent(1, "a"), done(1, 1), intent(2, "b", attempt: 1, kind: .sleep, deadline: 5000)])
        _ = m.request(kind: .native, name: "a", digest: 7, location: "")
        let (seq, decision) = m.request(kind: .sleep, name: "b", digest: 7, location: "")
        #expect(seq == 2)
        guard case .resumeInFlight(let record) = decision else { Issue.record("got \(decision)"); return }
        #expect(record.attempt == 1)
        #expect(record.deadline == 5000)
    }

    @Test func aPendingRetryWaitsForItsRecordedTime() throws {
        var m = try machine([intent(1, "a"), failed(1, retryAt: 1234)])
        #expect(m.request(kind: .native, name: "a", digest: 7, location: "").decision == .retry(attempt: 2, at: 1234))
    }

    @Test func aFinalFailureReplaysAsTheFailure() throws {
        var m = try machine([intent(1, "a"), failed(1, retryAt: 5), intent(1, "a", attempt: 2), failed(1, attempt: 2, retryAt: nil)])
        #expect(m.request(kind: .native, name: "a", digest: 7, location: "").decision
            == .replay(.failed(StepError(name: "Boom", message: "x"), retryAt: nil)))
    }

    @Test func aDifferentStepAtAJournaledPositionIsADeterminismErrorShowingBothSides() throws {
        var m = try machine([intent(1, "deploy"), done(1, 1)])
        guard case .mismatch(let e) = m.request(kind: .step, name: "build", digest: 9, location: "w.lua:4").decision else {
            Issue.record("no mismatch"); return
        }
        #expect(e.seq == 1)
        #expect(e.recorded?.name == "deploy")
        #expect(e.now?.name == "build")
        let text = e.description
        #expect(text.contains("determinism error at step 1"))
        #expect(text.contains("recorded: native 'deploy'"))
        #expect(text.contains("at w.lua:1"))
        #expect(text.contains("now:      step 'build'"))
        #expect(text.contains("at w.lua:4"))
        #expect(text.contains("kind native -> step, name 'deploy' -> 'build', arguments differ"))
        #expect(text.contains("Restore the script"))
    }

    @Test func changedArgumentsAreADeterminismError() throws {
        var m = try machine([intent(1, "a", digest: 1), done(1, 1)])
        guard case .mismatch(let e) = m.request(kind: .native, name: "a", digest: 2, location: "").decision else {
            Issue.record("no mismatch"); return
        }
        #expect(e.description.contains("arguments differ"))
    }

    @Test func aScriptThatEndsBeforeTheJournalDoesIsReported() throws {
        var m = try machine([intent(1, "a"), done(1, 1), intent(2, "b"), done(2, 2)])
        _ = m.request(kind: .native, name: "a", digest: 7, location: "")
        let e = try #require(m.checkBodyEnded())
        #expect(e.seq == 2)
        #expect(e.now == nil)
        #expect(e.description.contains("the script finished before step 2"))
    }

    @Test func replayStopsTheBodyWhereItWasCancelled() throws {
        let comp = JournalEntry.compensating(Compensating(reason: .cancelled, error: StepError(name: "Cancelled", message: ""), atSeq: 2, nextSeq: 3, at: 1))
        var m = try machine([intent(1, "a"), done(1, 1), intent(2, "wait", kind: .sleep), comp, intent(3, "undo"), done(3, 0)])
        _ = m.request(kind: .native, name: "a", digest: 7, location: "")
        #expect(m.request(kind: .sleep, name: "wait", digest: 7, location: "").decision == .stopBody)
        m.enterCompensation(nextSeq: 3)
        #expect(m.request(kind: .native, name: "undo", digest: 7, location: "") == (3, .replay(.completed(0, consumed: nil))))
    }
}
