/// Why a source cannot be made or cannot go on. AWS failures are thrown as `AWSError` unchanged.
public struct EventSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The source spec cannot be understood ("sqs:", "http:10.0.0.1:80" without permission, ...).
        case badSpec
        /// An option is out of range.
        case badOption
        /// An event is not a JSON object (a file's line).
        case badEvent
        /// A file cannot be opened or read.
        case unreadable
        /// The HTTP listener cannot bind or listen.
        case cannotListen
    }

    public var kind: Kind
    /// Says what is wrong and how to fix it.
    public var message: String
    /// Where, when there is a place to name: "file:events.jsonl:3", "http:127.0.0.1:8080".
    public var location: String?

    public init(_ kind: Kind, _ message: String, location: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}
