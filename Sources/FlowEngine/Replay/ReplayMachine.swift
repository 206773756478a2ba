import FlowLua

/// Decides, for each step the script asks for, whether its result comes from the journal or
/// the step runs now. It does no I/O: the runner feeds it the journal and every entry it
/// writes, and acts on its decisions (STYLE.md: a state machine is a pure struct).
public struct ReplayMachine: Sendable {
    public private(set) var journal: JournalState
    /// The seq the next request gets.
    public private(set) var nextSeq = 1

    public init(journal: JournalState) {
        self.journal = journal
    }

    public enum Decision: Sendable, Equatable {
        /// The step settled in the journal: hand back its outcome without running anything.
        case replay(StepOutcome)
        /// Run attempt `attempt` now (write its intent first).
        case execute(attempt: Int)
        /// The journal has this attempt's intent but no outcome: the process stopped while it
        /// was in flight. Sleeps and signal waits carry on to their recorded deadline; other
        /// steps run again (at-least-once for the in-flight step).
        case resumeInFlight(AttemptRecord)
        /// The last attempt failed and asked to be retried at `at`: wait, then run `attempt`.
        case retry(attempt: Int, at: Millis)
        /// The execution was cancelled at this step: stop the body and compensate.
        case stopBody
        case mismatch(DeterminismError)

        /// Sets where the script asked for the step that does not match (see
        /// `request(kind:name:digest:)`); `location` is evaluated only for such a mismatch.
        public mutating func locateScriptSide(_ location: () -> String) {
            guard case .mismatch(var e) = self, e.now != nil else { return }
            e.now!.location = location()
            self = .mismatch(e)
        }
    }

    /// True while the script is re-walking steps the journal already holds.
    public var isReplaying: Bool { nextSeq <= journal.steps.count }

    /// `location` is evaluated only when a decision needs it (a mismatch report): finding the
    /// script's line costs more than the rest of a replayed step.
    public mutating func request(kind: StepKind, name: String, digest: UInt64, location: @autoclosure () -> String)
        -> (seq: Int, decision: Decision)
    {
        var (seq, decision) = request(kind: kind, name: name, digest: digest)
        decision.locateScriptSide(location)
        return (seq, decision)
    }

    /// The same, but a mismatch comes with the script's side at an empty location, for the caller
    /// to set (`locateScriptSide`). The runner asks this for every step: an autoclosure would be
    /// formed, its captures retained and released, for each one, where it is needed only for a
    /// mismatch.
    public mutating func request(kind: StepKind, name: String, digest: UInt64) -> (seq: Int, decision: Decision) {
        let seq = nextSeq
        if inBody, let c = journal.compensating, c.reason != .failed, c.atSeq == seq {
            return (seq, .stopBody)
        }
        guard seq <= journal.steps.count else {
            nextSeq += 1
            if journal.finished != nil {
                return (seq, .mismatch(DeterminismError(
                    seq: seq, recorded: nil, now: .init(kind: kind, name: name, digest: digest, location: ""),
                    recordedStepCount: journal.steps.count)))
            }
            return (seq, .execute(attempt: 1))
        }
        // Field by field: copying the whole record for every replayed step shows in profiles.
        let i = seq - 1
        guard journal.steps[i].kind == kind, journal.steps[i].digest == digest, journal.steps[i].name == name else {
            let recorded = journal.steps[i]
            return (seq, .mismatch(DeterminismError(
                seq: seq,
                recorded: .init(kind: recorded.kind, name: recorded.name, digest: recorded.digest, location: recorded.location),
                now: .init(kind: kind, name: name, digest: digest, location: ""),
                recordedStepCount: journal.steps.count)))
        }
        nextSeq += 1
        let last = journal.steps[i].attempts.current
        switch last.outcome {
        case .completed?:
            return (seq, .replay(last.outcome!))
        case .failed(_, let retryAt?)?:
            return (seq, .retry(attempt: last.attempt + 1, at: retryAt))
        case .failed(_, nil)?:
            return (seq, .replay(last.outcome!))
        case nil:
            return (seq, .resumeInFlight(last))
        }
    }

    /// Whether the body (not compensation) is running: compensation steps come after `atSeq`.
    public var inBody: Bool = true

    /// The body returned or raised: a journal holding more body steps than the script made means
    /// the script changed. Returns the error to report, if any.
    public func checkBodyEnded() -> DeterminismError? {
        let bodySteps = journal.compensating.map { $0.nextSeq - 1 } ?? journal.steps.count
        guard nextSeq - 1 < bodySteps, journal.compensating.map({ $0.reason == .failed }) ?? true else { return nil }
        let r = journal.steps[nextSeq - 1]
        return DeterminismError(
            seq: nextSeq,
            recorded: .init(kind: r.kind, name: r.name, digest: r.digest, location: r.location),
            now: nil, recordedStepCount: journal.steps.count)
    }

    /// Folds in an entry the runner has just written.
    public mutating func record(_ entry: JournalEntry) throws {
        try journal.apply(entry)
    }

    /// Compensation steps continue the numbering where the journal says they start.
    public mutating func enterCompensation(nextSeq: Int) {
        inBody = false
        self.nextSeq = nextSeq
    }
}
