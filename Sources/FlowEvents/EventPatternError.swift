/// A pattern EventBridge would reject. `reason` is AWS's own wording where known (aws/event-ruler,
/// which EventBridge runs), so a message seen here is the one `aws events test-event-pattern` gives.
public struct EventPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    /// As AWS's `InvalidEventPatternException` says it.
    public var description: String { "Event pattern is not valid. Reason: \(reason)" }

    static func tooManyElements() -> EventPatternError { EventPatternError("Too many elements in numeric expression") }
    static func onlyOneKey() -> EventPatternError { EventPatternError("Only one key allowed in match expression") }
}
