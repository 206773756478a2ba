/// The records of a trigger's journal (HOME/triggers/NAME/journal, a FlowWAL log). Each is one
/// WAL record: its type byte says which, its payload is the JSON of the struct. The state they
/// fold into is `TriggerState`.
public enum TriggerRecord: Sendable, Equatable {
    /// A watcher took the trigger (written after it has the trigger's lock).
    case watching(Watching)
    /// One event's decision, written and synced before the source may acknowledge the event.
    case decided(Decided)
    /// A queued or superseding execution becomes the running one of its service.
    case promoted(Promoted)
    /// An execution of this trigger finished (or was refused before its first step).
    case ended(Ended)
    /// The whole folded state, first record of its segment: the journal's checkpoint. A reader
    /// folds from the last one and ignores what came before (TriggerJournal.compact).
    case snapshot(TriggerState)

    static let watchingType: UInt8 = 1
    static let decidedType: UInt8 = 2
    static let promotedType: UInt8 = 3
    static let endedType: UInt8 = 4
    static let snapshotType: UInt8 = 5
}

public struct Watching: Sendable, Equatable, Codable {
    public var at: Int64
    public var pid: Int32
    public var host: String
    public var workflow: String
    public var source: String
    public var pattern: String
    public var key: String
    public var policy: TriggerPolicy

    public init(at: Int64, pid: Int32, host: String, workflow: String, source: String, pattern: String, key: String,
                policy: TriggerPolicy) {
        self.at = at
        self.pid = pid
        self.host = host
        self.workflow = workflow
        self.source = source
        self.pattern = pattern
        self.key = key
        self.policy = policy
    }
}

public struct Decided: Sendable, Equatable, Codable {
    /// Milliseconds since the epoch.
    public var at: Int64
    public var facts: EventFacts
    public var decision: Decision
    /// Where the event came from (the source's words: a queue message id, a file and line).
    public var origin: String
    /// The event's JSON text, kept only when the decision starts an execution (now or later).
    public var body: String?

    public init(at: Int64, facts: EventFacts, decision: Decision, origin: String, body: String?) {
        self.at = at
        self.facts = facts
        self.decision = decision
        self.origin = origin
        self.body = body
    }
}

public struct Promoted: Sendable, Equatable, Codable {
    public var at: Int64
    public var execution: String

    public init(at: Int64, execution: String) {
        self.at = at
        self.execution = execution
    }
}

public struct Ended: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case succeeded, failed, cancelled
        /// Refused before its first step (bad parameters): nothing ran, and it is not retried.
        case refused
    }

    public var at: Int64
    public var execution: String
    public var status: Status
    public var message: String?

    public init(at: Int64, execution: String, status: Status, message: String? = nil) {
        self.at = at
        self.execution = execution
        self.status = status
        self.message = message
    }
}
