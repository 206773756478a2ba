/// What a trigger makes of one event. Every decision about an event that matched the pattern is
/// journaled before the event's source is told it may forget the event.
public struct Decision: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A new key: start its execution now.
        case start
        /// Seen before: the same task at the same `detail.version`, or a key already decided.
        case duplicate
        /// Older than what was seen: a lower `detail.version` for the task, or an older revision
        /// of the service than one already started (flow never rolls back on its own).
        case stale
        /// Not for this trigger: no match, or no key in the event.
        case ignored
        /// A newer revision while a rollout of the service runs, under `reject`.
        case rejected
        /// The same under `queue`: starts when the running rollout finishes.
        case queued
        /// The same under `supersede`: the running rollout is cancelled (fail-back), then this starts.
        case superseding
    }

    public var kind: Kind
    /// The idempotency key, when the event has one.
    public var key: String?
    /// The execution this decision starts now or later (start, queued, superseding).
    public var execution: String?
    /// Why, in words, for the log and the journal.
    public var reason: String
    /// superseding: the running execution that is cancelled to make way.
    public var cancels: String?
    /// queued, superseding: the execution that was waiting and that this one replaces.
    public var replaces: String?

    public init(_ kind: Kind, key: String? = nil, execution: String? = nil, reason: String,
                cancels: String? = nil, replaces: String? = nil) {
        self.kind = kind
        self.key = key
        self.execution = execution
        self.reason = reason
        self.cancels = cancels
        self.replaces = replaces
    }

    /// Whether the event's body must be kept: the execution gets it as its `event` parameter.
    public var startsExecution: Bool { execution != nil }
}
