import FlowLua

/// What a host primitive asks the runner to do once the coroutine has yielded: everything
/// that waits or does I/O that may take a while happens outside Lua.
enum PendingWork {
    case stop(StopReason)
    /// Wait until `until` (a wall-clock deadline), then run `then` for the values to resume with.
    case wait(seq: Int, kind: StepKind, name: String, until: Millis, then: () throws -> [LuaValue])
    case native(NativeCall)
    case signal(seq: Int, attempt: Int, name: String, deadline: Millis?)
    /// Commit the records appended (suspending while the disk syncs), then run `then` for the
    /// values to resume with.
    case commit(then: () throws -> [LuaValue])
}

struct NativeCall {
    var seq: Int
    var attempt: Int
    var display: String
    var function: StepFunction
    var prepared: any Sendable
    var policy: RetryPolicy
    var timeout: Double?
    var args: LuaValue
    var digest: UInt64
    var location: String
    /// Set for a gate: how to measure it.
    var analysis: GateAnalysis? = nil
    /// The attempt was in flight when the last process died.
    var resumedInFlight = false
    /// When set, wait until then before the first attempt (a retry pending at the crash).
    var notBefore: Millis? = nil
}

enum StopReason {
    case interrupted
    /// The execution was cancelled while the script was at step `seq`.
    case cancelled(InboxMessage, seq: Int)
    /// Replay met the journal's cancellation point.
    case cancelledInJournal
    case determinism(DeterminismError)
    case usage(String)
    case fatal(Error)
    /// `RunOptions.replayOnly`: the history ends here, or the script parts from it.
    case replayOnly(ReplayOnlyStop)
}
