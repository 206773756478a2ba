import FlowLua

/// Milliseconds since the Unix epoch: the journal's clock.
public typealias Millis = Int64

/// What a step is, for the journal and for determinism checks.
public enum StepKind: String, Sendable, Codable, CaseIterable {
    /// `flow.step(name, fn)`: Lua code with no side effects outside the journal.
    case step
    /// A native plugin function, `flow.exec` included.
    case native
    case sleep
    case signal
    case now
    case random
}

/// A failure as the journal keeps it and as Lua sees it (`err.name`, `err.message`).
public struct StepError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short class of failure used by retry policies (`non_retryable`): "Timeout", "NonZeroExit", ...
    public var name: String
    public var message: String
    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }
    public var description: String { "\(name): \(message)" }

    public var luaValue: LuaValue { .table(["name": .string(name), "message": .string(message)]) }
}

/// One record of an execution's journal. Sequence numbers (`seq`) count the steps the script
/// asks for in program order, from 1; attempts count from 1 within a step.
public enum JournalEntry: Sendable, Equatable {
    case started(ExecutionStarted)
    case intent(StepIntent)
    case completed(StepCompleted)
    case failed(StepFailed)
    case compensating(Compensating)
    case finished(ExecutionFinished)
    case resumed(Resumed)
    case operatorAction(OperatorAction)
    case redriven(Redriven)
    /// A native step's mid-step checkpoint (`StepContext.checkpoint`): not a step of its own.
    case stepCheckpoint(StepCheckpoint)
}

public struct ExecutionStarted: Sendable, Equatable {
    public var id: String
    public var workflow: String        // the script's path as given
    public var scriptDigest: String    // sha256 hex of the script's bytes
    public var params: [String: LuaValue]  // the caller's raw parameters (strings from --param, JSON from --params)
    public var randomSeed: Int64
    public var at: Millis
    public var host: String
    public var pid: Int32
    /// Step defaults the run was started with (`region`, `profile`): a resume acts on the same
    /// account and region whatever its own command line or environment says.
    public var settings: [String: String] = [:]
}

public struct StepIntent: Sendable, Equatable {
    public var seq: Int
    public var attempt: Int
    public var kind: StepKind
    public var name: String
    public var digest: UInt64          // of the arguments that must be the same on replay
    public var location: String        // "file:line" of the call
    public var args: LuaValue          // shown by `flow history`; bounded by the writer
    public var at: Millis
    /// For sleeps, signal waits with a timeout, and steps with a timeout: the absolute deadline.
    public var deadline: Millis?
}

public struct StepCompleted: Sendable, Equatable {
    public var seq: Int
    public var attempt: Int
    public var value: LuaValue
    public var at: Millis
    /// The inbox file a signal was taken from, so a resume can finish deleting it.
    public var consumed: String?
}

/// A small value a native step recorded while its attempt `attempt` was in flight (e.g. the id
/// of a change it had sent and was about to wait for), durable before `StepContext.checkpoint`
/// returned. Written between the attempt's intent and its outcome, any number of times (the last
/// one counts). When a later process finds that attempt still in flight, the attempt runs again
/// and gets the last value as `StepContext.resumedCheckpoint`; a new attempt starts without one.
/// Replay ignores it: it is not a step and has no sequence number of its own.
public struct StepCheckpoint: Sendable, Equatable {
    public var seq: Int
    public var attempt: Int
    public var value: LuaValue
    public var at: Millis

    public init(seq: Int, attempt: Int, value: LuaValue, at: Millis) {
        self.seq = seq
        self.attempt = attempt
        self.value = value
        self.at = at
    }
}

public struct StepFailed: Sendable, Equatable {
    public var seq: Int
    public var attempt: Int
    public var error: StepError
    public var at: Millis
    /// When the next attempt may start; nil when this failure is final.
    public var retryAt: Millis?
}

/// `aborted`: an operator's `flow abort` (fail back now); `cancelled`: `flow cancel` or a superseding trigger.
public enum CompensationReason: String, Sendable, Codable { case failed, cancelled, aborted }

/// The body stopped (it raised, or was cancelled at step `atSeq`); compensation runs next,
/// its steps numbered from `nextSeq` (after the interrupted step, if it had started).
public struct Compensating: Sendable, Equatable {
    public var reason: CompensationReason
    public var error: StepError
    public var atSeq: Int
    public var nextSeq: Int
    public var at: Millis
}

public enum FinalStatus: String, Sendable, Codable { case succeeded, failed, cancelled, aborted }

public struct ExecutionFinished: Sendable, Equatable {
    public var status: FinalStatus
    public var value: LuaValue
    public var error: StepError?
    public var at: Millis
}

/// A process took over the execution (informational: who drove it, when).
public struct Resumed: Sendable, Equatable {
    public var at: Millis
    public var host: String
    public var pid: Int32
    public var scriptChanged: Bool
}

/// An operator's command as the execution took it from its inbox: who (user@host), why, when,
/// and where the execution was (the step it was at or about to start). Informational for
/// replay, like `Resumed`; `flow status` reads the last pause/unpause to say `paused`.
public struct OperatorAction: Sendable, Equatable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        /// Hold before the next step (timers keep their deadlines).
        case pause
        case unpause
        /// End the current pause or inconclusive gate (the signal `promote`).
        case promote
        /// Skip the remaining steps to 100 % (the signal `promote_full`); `force` skips the final check.
        case promoteFull = "promote_full"
    }

    public var action: Action
    public var by: String
    public var reason: String?
    public var at: Millis
    public var seq: Int
    public var force: Bool
    /// The inbox file it came from: a resume that finds the file still there (the process died
    /// before removing it) knows it was taken already.
    public var message: String

    public init(action: Action, by: String, reason: String?, at: Millis, seq: Int, force: Bool = false, message: String = "") {
        self.action = action
        self.by = by
        self.reason = reason
        self.at = at
        self.seq = seq
        self.force = force
        self.message = message
    }
}

/// `flow retry ID`: a failed (or aborted) execution starts again from step `fromSeq`, as Step
/// Functions' redrive does. The only record allowed after `finished`: folding it forgets the
/// final record, the compensation and every step from `fromSeq` on (they stay in the log, shown
/// by `flow history`), so those steps run again, with the same numbers.
public struct Redriven: Sendable, Equatable {
    public var at: Millis
    public var by: String
    public var reason: String?
    public var fromSeq: Int

    public init(at: Millis, by: String, reason: String?, fromSeq: Int) {
        self.at = at
        self.by = by
        self.reason = reason
        self.fromSeq = fromSeq
    }
}
