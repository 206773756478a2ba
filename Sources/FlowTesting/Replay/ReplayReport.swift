import FlowEngine
import FlowLua

/// What `flow replay` found: whether the script replays the recorded history, and if not,
/// where and how it parts from it, both sides shown (`--json` prints this as it is; `text` is
/// what a person reads).
public struct ReplayReport: Sendable, Encodable {
    public enum Verdict: String, Sendable, Encodable {
        /// A resume of the recorded execution with this script would replay every recorded step.
        case consistent
        /// It would stop with a determinism error, or end otherwise than the history did.
        case divergent
        /// The history or the script cannot be read (a usage error: exit 2).
        case invalid
        /// The check itself could not run (exit 70).
        case failed
    }

    public var verdict: Verdict
    public var history: String
    public var script: String
    public var execution: String?
    /// The workflow's path as recorded.
    public var workflow: String?
    /// "running", or the recorded final status.
    public var historyStatus: String?
    public var recordedSteps: Int?
    /// Recorded steps the script asked for and the history answered.
    public var replayedSteps: Int?
    /// Consistent: what a resume would do next, or how the workflow would end.
    public var next: String?
    public var nextStep: Step?
    public var divergence: Divergence?
    /// Invalid or failed: what is wrong (with the file and entry, or file:line).
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case verdict, history, script, execution, workflow, next, divergence, problem
        case historyStatus = "history_status", recordedSteps = "recorded_steps", replayedSteps = "replayed_steps"
        case nextStep = "next_step"
    }

    /// A step as the history holds it or as the script asks for it.
    public struct Step: Sendable, Encodable, Equatable {
        public var seq: Int
        public var kind: String
        public var name: String
        public var args: LuaValue?
        public var location: String
        /// The argument digest (16 hex digits), which replay compares.
        public var digest: String?
        /// In the `on_failure` handlers rather than the body.
        public var compensation: Bool
        /// For the next step of a running history: "new", "in flight (attempt N)", "retry (attempt N at TIME)".
        public var state: String?
    }

    /// Where the script parts from the history.
    public struct Divergence: Sendable, Encodable {
        public enum Kind: String, Sendable, Encodable {
            /// The script asks for another function (kind or name) at a recorded step.
            case anotherStep = "another_step"
            /// The same function with other arguments (their digest differs).
            case otherArguments = "other_arguments"
            /// The body (or the compensation) ends while the history holds more steps.
            case stepRemoved = "step_removed"
            /// The history had finished; the script asks for one more step.
            case stepAdded = "step_added"
            /// The script returns or fails otherwise than the history did.
            case differentOutcome = "different_outcome"
            /// `flow.params` refuses the recorded parameters.
            case paramsRejected = "params_rejected"
        }

        public var kind: Kind
        public var seq: Int?
        /// The parting is in the `on_failure` handlers.
        public var compensation: Bool
        public var recorded: Side
        public var now: Side
        /// One line: what changed.
        public var hint: String
    }

    /// One side of a divergence: a step, or how the workflow ended (then `step` is nil).
    public struct Side: Sendable, Encodable {
        public var text: String
        public var step: Step?
    }
}
