import FlowLua

/// How a `flow run` / `flow resume` ended, which the CLI turns into an exit code.
public enum RunOutcome: Sendable, Equatable {
    case succeeded(LuaValue)
    /// The workflow failed; its compensation (`flow.on_failure`) has run.
    case failed(StepError)
    case cancelled(StepError)
    /// `flow abort`: stopped by an operator, its on_failure handlers (the fail-back) have run.
    case aborted(StepError)
    /// Ctrl-C or SIGTERM: nothing more was journaled; `flow resume` carries on.
    case interrupted
    /// The execution had already finished before this process got it.
    case alreadyFinished(FinalStatus)
}

/// Errors that stop a run before or outside the workflow's own logic.
public struct RunError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// Bad input: flags, parameters, a script that does not compile, an unknown id.
        case usage
        /// Another live process drives the execution.
        case locked
        /// The journal cannot be read (damage reported with file and offset).
        case journal
        /// The script changed since the execution started, or replay diverged from the journal.
        case determinism
        case internalError
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// What a run reports as it goes, for the terminal or a machine reader.
public enum ExecutionEvent: Sendable {
    case started(id: String, workflow: String, resumed: Bool)
    case replayed(steps: Int)
    /// `args`: what a native step was called with (nil for `flow.step`), for views that show weights.
    case stepStarted(seq: Int, kind: StepKind, name: String, attempt: Int, args: LuaValue = .nil)
    case stepSucceeded(seq: Int, kind: StepKind, name: String, attempt: Int, millis: Int64, value: LuaValue = .nil)
    case stepFailed(seq: Int, kind: StepKind, name: String, attempt: Int, error: StepError, retryInMillis: Int64?)
    case waiting(seq: Int, kind: StepKind, name: String, untilMillis: Millis?)
    /// One measurement of a gate step: "pass", "fail", "inconclusive" or "error"; `count` so far.
    case measured(seq: Int, name: String, status: String, reason: String, count: Int, value: LuaValue = .nil)
    /// A gate step's verdict, journaled as its result (the step itself succeeded: it measured).
    case gateFinished(seq: Int, name: String, status: String, measurements: Int, millis: Int64, value: LuaValue = .nil)
    case log(String)
    case warning(String)
    case compensating(CompensationReason, StepError)
    /// An operator's command was taken and journaled: `action` is pause, unpause, promote or
    /// promote_full (abort shows as `compensating(.aborted, ...)`); `by` is user@host.
    case operatorAction(action: String, by: String, reason: String?)
    case finished(RunOutcome)
}
