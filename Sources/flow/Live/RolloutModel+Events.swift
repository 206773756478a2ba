import FlowEngine
import FlowLua

extension RolloutModel {
    /// Folds in one event that happened at `now`.
    mutating func apply(_ event: ExecutionEvent, at now: Millis) {
        switch event {
        case .started(let id, let workflow, let resumed):
            self.id = id
            self.workflow = workflow
            if resumed { self.resumed = true }
            if startedAt == nil { startedAt = now }
        case .replayed(let n):
            replayed = n
            stepsDone = max(stepsDone, n)
        case .stepStarted(let seq, let kind, let name, let attempt, let args):
            current = Step(seq: seq, kind: kind, name: name, attempt: attempt, since: now)
            wait = nil
            if failure?.seq != seq { failure = nil }
            if let w = Weights.of(step: name, args) { noteTarget(w) }
        case .stepSucceeded(let seq, _, let name, _, _, let value):
            endStep(seq)
            if failure?.seq == seq { failure = nil }
            if let w = Weights.of(step: name, value) {
                noteWeights(w)
                target = nil
            }
        case .stepFailed(let seq, _, let name, let attempt, let error, let retryIn):
            endStep(seq)
            let until = retryIn.map { now + $0 }
            failure = Failure(seq: seq, name: name, attempt: attempt, error: error, until: until)
            if let until {
                wait = Wait(seq: seq, kind: .native, name: name, until: until)
            } else {
                target = nil
            }
        case .waiting(let seq, let kind, let name, let until):
            wait = Wait(seq: seq, kind: kind, name: name, until: until)
            // A retry's backoff (for a native step or a flow.step): no step runs meanwhile.
            if kind == .native || failure?.seq == seq {
                current = nil
            } else if current?.seq != seq {
                current = Step(seq: seq, kind: kind, name: name, attempt: 1, since: now)
            }
        case .measured(let seq, let name, let status, let reason, let count, let value):
            noteGate(Gate(seq: seq, name: name, status: status, reason: reason, count: count, value: value, at: now, final: false))
            if current?.seq == seq { current?.measurements = count }
        case .gateFinished(let seq, let name, let status, let n, _, let value):
            noteGate(Gate(seq: seq, name: name, status: status, reason: value["reason"].stringValue ?? "", count: n,
                          value: value["value"], at: now, final: true))
            endStep(seq)
            if failure?.seq == seq { failure = nil }
        case .log, .warning:
            break  // they scroll above the frame
        case .compensating(let reason, let error):
            compensation = Compensation(reason: reason, error: error)
            current = nil
            wait = nil
            target = nil
            paused = nil
        case .operatorAction(let action, let by, let reason):
            let note = OperatorNote(action: action, by: by, reason: reason, at: now)
            operators.append(note)
            if operators.count > Self.operatorsKept { operators.removeFirst(operators.count - Self.operatorsKept) }
            paused = action == "pause" ? note : nil
        case .finished(let outcome):
            self.outcome = outcome
            finishedAt = now
            current = nil
            wait = nil
            target = nil
            paused = nil
        }
    }

    private mutating func endStep(_ seq: Int) {
        if current?.seq == seq { current = nil }
        if wait?.seq == seq { wait = nil }
        stepsDone = max(stepsDone, seq)
    }
}
