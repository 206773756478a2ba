import FlowLua

/// Where a replay-only run (`RunOptions.replayOnly`, the engine of `flow replay`) stopped short of
/// the workflow's end, thrown by `ExecutionRunner.run()`. Such a run never runs a step live: it
/// walks the script against a recorded history and stops where the history no longer answers.
/// A run that reaches the end returns its `RunOutcome` as usual.
public enum ReplayOnlyStop: Error, Sendable, Equatable {
    /// The script asked for a step the history does not hold settled: a resume would run it.
    case historyEnds(NextStep)
    /// The script asked for another step than the history holds at that number, or ended (its
    /// body or its compensation) before the history's steps did. `scriptArgs`: what the script
    /// passed, when it asked for a step (nil when it ended); `inCompensation`: the script was in
    /// an `on_failure` handler.
    case diverged(DeterminismError, scriptArgs: LuaValue?, inCompensation: Bool)
    /// The body ended otherwise than the history's: it raised where the history's carried on,
    /// raised another error, or returned where the history's raised or was stopped. `steps`:
    /// how many steps the script's body made.
    case bodyEnded(BodyEnd, steps: Int)
    /// `flow.params` refused the recorded parameters (message with the script's file:line).
    case paramsRejected(String)

    public enum BodyEnd: Sendable, Equatable {
        case returned(LuaValue)
        case failed(StepError)
    }

    /// The step a resume would go on with.
    public struct NextStep: Sendable, Equatable {
        public enum State: Sendable, Equatable {
            /// Not in the history: it would start.
            case new
            /// Started and not settled (the process stopped during it): it would carry on or run again.
            case inFlight(attempt: Int)
            /// Failed with a retry pending: attempt `attempt` would run at `at`.
            case retry(attempt: Int, at: Millis)
        }

        public var seq: Int
        public var kind: StepKind
        public var name: String
        public var location: String
        /// What the script passes (as the journal would keep it; nil for `flow.step`).
        public var args: LuaValue
        public var state: State
        /// In an `on_failure` handler rather than the body.
        public var inCompensation: Bool

        public init(seq: Int, kind: StepKind, name: String, location: String, args: LuaValue, state: State, inCompensation: Bool) {
            self.seq = seq
            self.kind = kind
            self.name = name
            self.location = location
            self.args = args
            self.state = state
            self.inCompensation = inCompensation
        }
    }
}
