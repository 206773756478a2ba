import FlowLua

/// Replay-only mode (`RunOptions.replayOnly`, the engine of `flow replay`): the script runs
/// against a recorded history and stops with a `ReplayOnlyStop` wherever a resume would do
/// something live or the script parts from the history. No step runs; nothing is journaled but
/// the resumed and finished records of the throwaway copy of the history it runs in.
extension ExecutionRunner {
    /// For `decide`: the stop for a decision, or nil to go on (the journal answers the step).
    func replayOnlyStop(_ call: LuaCall, kind: StepKind, name: String, seq: Int, decision: ReplayMachine.Decision,
                        location: () -> String) -> ReplayOnlyStop? {
        let state: ReplayOnlyStop.NextStep.State
        switch decision {
        case .replay, .stopBody:
            return nil
        case .mismatch(let e):
            return .diverged(e, scriptArgs: scriptArgs(call, kind: kind), inCompensation: !machine.inBody)
        case .execute:
            state = .new
        case .resumeInFlight(let record):
            state = .inFlight(attempt: record.attempt)
        case .retry(let attempt, let at):
            state = .retry(attempt: attempt, at: at)
        }
        return .historyEnds(.init(seq: seq, kind: kind, name: name, location: location(), args: scriptArgs(call, kind: kind),
                                  state: state, inCompensation: !machine.inBody))
    }

    /// The body returned: the history's body must have made as many steps and not have failed
    /// or been stopped. Ends the run (nothing live follows a body's end but compensation).
    func replayOnlyBodyReturned(_ value: LuaValue) async throws -> RunOutcome {
        if let e = unreplayedSteps(upTo: recordedBodySteps) { throw ReplayOnlyStop.diverged(e, scriptArgs: nil, inCompensation: false) }
        if machine.journal.compensating != nil {
            throw ReplayOnlyStop.bodyEnded(.returned(value), steps: machine.nextSeq - 1)
        }
        return try await finish(.succeeded, value: value, error: nil)
    }

    /// The body raised: compensation replays only when the history's body raised the same error
    /// (by name) after as many steps.
    func replayOnlyBodyFailed(_ error: StepError) async throws -> RunOutcome {
        guard let c = machine.journal.compensating, c.reason == .failed, c.error.name == error.name else {
            throw ReplayOnlyStop.bodyEnded(.failed(error), steps: machine.nextSeq - 1)
        }
        if let e = unreplayedSteps(upTo: recordedBodySteps) { throw ReplayOnlyStop.diverged(e, scriptArgs: nil, inCompensation: false) }
        return try await compensate(reason: .failed, error: error, atSeq: machine.nextSeq)
    }

    /// The `on_failure` handlers are done: they must have replayed every recorded compensation step.
    func replayOnlyCompensationEnded() throws {
        if let e = unreplayedSteps(upTo: machine.journal.steps.count) {
            throw ReplayOnlyStop.diverged(e, scriptArgs: nil, inCompensation: true)
        }
    }

    /// The body's steps in the history: those before compensation's, or all of them.
    var recordedBodySteps: Int {
        machine.journal.compensating.map { $0.nextSeq - 1 } ?? machine.journal.steps.count
    }

    /// The first recorded step up to `count` that the script did not ask for, as the determinism
    /// error of a step removed.
    func unreplayedSteps(upTo count: Int) -> DeterminismError? {
        let made = machine.nextSeq - 1
        guard made < count, let r = machine.journal.step(made + 1) else { return nil }
        return DeterminismError(
            seq: made + 1, recorded: .init(kind: r.kind, name: r.name, digest: r.digest, location: r.location), now: nil,
            recordedStepCount: machine.journal.steps.count)
    }

    /// What the script passes to the step it asks for, shaped as its intent would journal it
    /// (the engine's own keys taken out of a native call's table), for the report.
    func scriptArgs(_ call: LuaCall, kind: StepKind) -> LuaValue {
        func number(_ v: LuaValue?) -> Double? {
            switch v {
            case .int(let i)?: Double(i)
            case .double(let d)?: d
            default: nil
            }
        }
        switch kind {
        case .native:
            guard case .table(var fields)? = try? call.value(3) else { return .nil }
            let function = (try? call.value(1).stringValue).flatMap { $0 }.flatMap { options.registry.function($0) }
            fields.removeValue(forKey: "retry")
            if function?.handlesTimeout != true { fields.removeValue(forKey: "timeout") }
            if function?.isGate == true { for k in GateAnalysis.keys { fields.removeValue(forKey: k) } }
            return .table(fields)
        case .sleep:
            return number(try? call.value(1)).map { .table(["seconds": .double($0)]) } ?? .nil
        case .signal:
            var args: [String: LuaValue] = ["name": (try? call.value(1)) ?? .nil]
            if let t = number(try? call.value(2)) { args["timeout"] = .double(t) }
            return .table(args)
        case .step, .now, .random:
            return .nil
        }
    }
}
