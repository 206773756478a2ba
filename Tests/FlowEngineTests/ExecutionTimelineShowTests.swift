import FlowLua
import Testing
@testable import FlowEngine

/// `ExecutionTimeline`, the model behind `flow show` (and the live view): pure, built from
/// journal entries, so these tests write journals by hand and do no I/O.
@Suite struct ExecutionTimelineShowTests {
    static let started = JournalEntry.started(ExecutionStarted(
        id: "e", workflow: "canary.lua", scriptDigest: "d", params: [:], randomSeed: 1, at: 1_000, host: "h", pid: 7))

    static func intent(_ seq: Int, _ name: String, attempt: Int = 1, at: Millis, args: LuaValue = .nil,
                       kind: StepKind = .native) -> JournalEntry {
        .intent(StepIntent(seq: seq, attempt: attempt, kind: kind, name: name, digest: 1, location: "canary.lua:\(seq)",
                           args: args, at: at, deadline: nil))
    }
    static func done(_ seq: Int, _ value: LuaValue = .nil, attempt: Int = 1, at: Millis) -> JournalEntry {
        .completed(StepCompleted(seq: seq, attempt: attempt, value: value, at: at, consumed: nil))
    }
    static func failed(_ seq: Int, attempt: Int = 1, at: Millis, retryAt: Millis?) -> JournalEntry {
        .failed(StepFailed(seq: seq, attempt: attempt, error: StepError(name: "Throttling", message: "slow down"), at: at,
                           retryAt: retryAt))
    }
    static func weights(_ blue: Int, _ green: Int) -> LuaValue { .table(["blue": .int(Int64(blue)), "green": .int(Int64(green))]) }
    static func setResult(_ blue: Int, _ green: Int, previous: (Int, Int)) -> LuaValue {
        .table(["weights": weights(blue, green), "previous": weights(previous.0, previous.1), "changed": .bool(true)])
    }
    static func operatorAction(_ action: OperatorAction.Action, at: Millis, seq: Int) -> JournalEntry {
        .operatorAction(OperatorAction(action: action, by: "alice@laptop", reason: "why not", at: at, seq: seq))
    }

    @Test func retriesKeepEveryAttemptAndTheBackoffBetweenThem() throws {
        let t = try ExecutionTimeline(entries: [
            Self.started,
            Self.intent(1, "route53.set_weights", at: 1_100, args: .table(["weights": Self.weights(90, 10)])),
            Self.failed(1, at: 1_300, retryAt: 2_300),
            Self.intent(1, "route53.set_weights", attempt: 2, at: 2_310),
            Self.failed(1, attempt: 2, at: 2_400, retryAt: 4_400),
        ])
        let step = try #require(t.step(1))
        #expect(step.status == .waiting)
        #expect(step.retryAt == 4_400)
        #expect(step.finishedAt == nil && step.duration == nil)
        #expect(step.attempts.map(\.backoff) == [1_000, 2_000])
        #expect(step.attempts.map(\.duration) == [200, 90])
        #expect(step.targetWeights == ["blue": 90, "green": 10])
        #expect(t.weights.isEmpty, "nothing was set yet")
        #expect(t.outcome.status == nil && t.failback == nil)
    }

    @Test func weightsComeFromCapturesSetsAndRestoresInOrder() throws {
        let t = try ExecutionTimeline(entries: [
            Self.started,
            Self.intent(1, "failback.capture", at: 1_100), Self.done(1, .table(["weights": Self.weights(100, 0)]), at: 1_200),
            Self.intent(2, "route53.weights", at: 1_300), Self.done(2, .table(["weights": Self.weights(100, 0)]), at: 1_400),
            Self.intent(3, "route53.set_weights", at: 1_500), Self.done(3, Self.setResult(90, 10, previous: (100, 0)), at: 2_000),
            Self.intent(4, "health.all", at: 2_100), Self.done(4, .table(["status": "pass"]), at: 2_200),
            .compensating(Compensating(reason: .failed, error: StepError(name: "GateFailed", message: "5xx"), atSeq: 5, nextSeq: 5,
                                       at: 2_300)),
            Self.intent(5, "failback.restore", at: 2_310), Self.done(5, Self.setResult(100, 0, previous: (90, 10)), at: 2_800),
            .finished(ExecutionFinished(status: .failed, value: .nil, error: StepError(name: "GateFailed", message: "5xx"), at: 2_900)),
        ])
        #expect(t.weights.map(\.source) == [.observed, .set, .restored], "a read equal to the one before adds nothing")
        #expect(t.weights.map(\.at) == [1_200, 2_000, 2_800])
        #expect(t.weights.map { $0.weights["green"] } == [0, 10, 0])
        #expect(t.currentWeights == ["blue": 100, "green": 0])
        #expect(t.steps.map(\.phase) == [.body, .body, .body, .body, .compensation])
        #expect(t.outcome.status == .failed)
        #expect(t.outcome.stoppedAtSeq == 4, "the script raised after step 4's verdict")
        let f = try #require(t.failback)
        #expect(f.steps == [5] && f.complete && f.reason == .failed)
        #expect(f.finalWeights == ["blue": 100, "green": 0])
    }

    @Test func aSetterWithoutAnEarlierReadStartsTheChartFromItsPreviousWeights() throws {
        let t = try ExecutionTimeline(entries: [
            Self.started,
            Self.intent(1, "route53.set_weights", at: 1_100), Self.done(1, Self.setResult(50, 50, previous: (100, 0)), at: 1_600),
        ])
        #expect(t.weights.map(\.source) == [.observed, .set])
        #expect(t.weights.first?.at == 1_100)
        #expect(t.weights.first?.weights == ["blue": 100, "green": 0])
    }

    @Test func aStepRunningWhenTheBodyIsAbortedIsStoppedNotRunning() throws {
        let t = try ExecutionTimeline(entries: [
            Self.started,
            Self.intent(1, "health.all", at: 1_100),
            .compensating(Compensating(reason: .aborted, error: StepError(name: "Aborted", message: "by bob"), atSeq: 1, nextSeq: 2,
                                       at: 1_500)),
            Self.intent(2, "failback.restore", at: 1_510), Self.done(2, Self.setResult(100, 0, previous: (100, 0)), at: 1_600),
            .finished(ExecutionFinished(status: .aborted, value: .nil, error: StepError(name: "Aborted", message: "by bob"), at: 1_700)),
        ])
        #expect(t.step(1)?.status == .stopped)
        #expect(t.step(1)?.duration == 400, "until compensation began")
        #expect(t.outcome.stoppedAtSeq == 1)
        #expect(t.outcome.error?.name == "Aborted")
        #expect(t.failback?.steps == [2])
    }

    @Test func operatorActionsAndResumesAreRowsBetweenTheStepsTheyHappenedBetween() throws {
        let t = try ExecutionTimeline(entries: [
            Self.started,
            Self.intent(1, "route53.set_weights", at: 1_100), Self.done(1, Self.setResult(90, 10, previous: (100, 0)), at: 1_200),
            Self.operatorAction(.pause, at: 1_300, seq: 2),
            Self.operatorAction(.unpause, at: 1_900, seq: 2),
            Self.intent(2, "health.all", at: 1_900), Self.done(2, .table(["status": "pass"]), at: 2_000),
            .resumed(Resumed(at: 5_000, host: "h2", pid: 9, scriptChanged: false)),
            Self.intent(3, "route53.set_weights", at: 5_100),
        ])
        #expect(t.rows == [.step(0), .event(0), .event(1), .step(1), .event(2), .step(2)],
                "an event at a step's start millisecond comes before it")
        #expect(t.step(3)?.status == .running, "in flight, no compensation: still running (or interrupted)")
        guard case .operatorAction(let pause) = t.events[0] else { Issue.record("\(t.events)"); return }
        #expect(pause.action == .pause && pause.by == "alice@laptop" && pause.reason == "why not")
        guard case .resumed(let r) = t.events[2] else { Issue.record("\(t.events)"); return }
        #expect(r.host == "h2")
    }

    @Test func aJournalWithoutAStartIsAJournalError() {
        #expect(throws: RunError.self) { try ExecutionTimeline(entries: [Self.intent(1, "a", at: 1)]) }
    }
}
