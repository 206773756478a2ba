/// One event as a source received it, before anyone has interpreted it.
public struct IncomingEvent: Sendable {
    /// One EventBridge envelope, JSON text, exactly as received (an SNS wrapper removed).
    public var body: String
    /// Where it came from, for logs: "sqs:<queue url>#<message id>", "file:<path>:<line>",
    /// "stdin:<line>", "http:<peer>" (or "http:<peer>#<n>" for the n-th event of a batch),
    /// "ecs:<cluster>/<service>".
    public var origin: String
    /// Lets the source forget the event: SQS deletes the message, the others do nothing (HTTP
    /// answers once every event of the request was delivered). The source calls it itself after
    /// `deliver` returns; a consumer may call it earlier. Calling it twice is harmless.
    public var acknowledge: @Sendable () async throws -> Void

    public init(body: String, origin: String, acknowledge: @escaping @Sendable () async throws -> Void = {}) {
        self.body = body
        self.origin = origin
        self.acknowledge = acknowledge
    }
}
