import Logging

/// How sources behave; the defaults suit production, tests shorten the waits.
public struct EventSourceOptions: Sendable {
    // MARK: SQS

    /// ReceiveMessage's long-poll wait, 0...20 s (whole seconds).
    public var longPollWait: Duration = .seconds(20)
    /// The visibility timeout asked for on receive, 1 s ... 12 h (whole seconds).
    public var visibilityTimeout: Duration = .seconds(30)
    /// What each heartbeat sets the timeout to (from that moment) while `deliver` runs longer
    /// than half the visibility timeout; nil: the visibility timeout again. Heartbeats come every
    /// half of it.
    public var visibilityExtension: Duration?
    /// Messages per ReceiveMessage, 1...10.
    public var maxMessages: Int = 10
    /// Told about each message whose body is not a JSON object (nor an SNS notification carrying
    /// one). Without it the message is logged as a warning and left for the queue's redrive
    /// policy (a dead-letter queue after maxReceiveCount): never deleted silently.
    public var poison: (@Sendable (PoisonMessage) async -> PoisonAction)?

    // MARK: ECS polling

    /// Between two ListTasks + DescribeTasks rounds.
    public var ecsPollInterval: Duration = .seconds(5)

    // MARK: HTTP push and files

    /// The largest HTTP request body, and the longest line of a file.
    public var maxBodyBytes: Int = 1 << 20
    /// Lets `http:` bind an address other than 127.0.0.1, localhost or ::1 (the listener has no
    /// authentication: anyone who can reach it can start rollouts).
    public var allowNonLoopback: Bool = false
    /// Called with the bound port once the HTTP listener accepts connections (useful with port 0).
    public var ready: (@Sendable (_ port: Int) -> Void)?
    /// How long one HTTP connection may take to send its request.
    public var httpReadTimeout: Duration = .seconds(10)
    /// Connections handled at once; more are answered 503 at once.
    public var httpMaxConnections: Int = 64
    /// The descriptor `-` reads (tests pass a pipe's read end).
    public var standardInput: Int32 = 0

    // MARK: All

    /// Backoff after a transient failure: full jitter up to min(cap, base * 2^n).
    public var retryBase: Duration = .milliseconds(200)
    public var retryCap: Duration = .seconds(30)
    public var logger: Logger = Logger(label: "flow.events")

    public init() {}

    /// Throws `EventSourceError.badOption` naming the first option out of range.
    public func validate() throws {
        func bad(_ message: String) -> EventSourceError { EventSourceError(.badOption, message) }
        guard longPollWait >= .zero, longPollWait <= .seconds(20) else { throw bad("the long-poll wait must be 0...20 s") }
        guard visibilityTimeout >= .seconds(1), visibilityTimeout <= .seconds(43_200) else {
            throw bad("the visibility timeout must be 1 s ... 12 h")
        }
        if let e = visibilityExtension, e < .seconds(1) || e > .seconds(43_200) {
            throw bad("the visibility extension must be 1 s ... 12 h")
        }
        guard (1...10).contains(maxMessages) else { throw bad("maxMessages must be 1...10") }
        guard ecsPollInterval > .zero else { throw bad("the ECS poll interval must be positive") }
        guard maxBodyBytes > 0 else { throw bad("maxBodyBytes must be positive") }
        guard httpReadTimeout > .zero, httpMaxConnections > 0 else { throw bad("HTTP timeouts and limits must be positive") }
        guard retryBase > .zero, retryCap >= retryBase else { throw bad("retryBase must be positive and at most retryCap") }
    }
}

/// A message the SQS source cannot hand over as an event.
public struct PoisonMessage: Sendable {
    public var queueURL: String
    public var messageID: String
    public var body: String
    /// Why it is not an event.
    public var reason: String
    /// SQS's ApproximateReceiveCount, when it came back.
    public var receiveCount: Int?

    public init(queueURL: String, messageID: String, body: String, reason: String, receiveCount: Int? = nil) {
        self.queueURL = queueURL
        self.messageID = messageID
        self.body = body
        self.reason = reason
        self.receiveCount = receiveCount
    }
}

public enum PoisonAction: Sendable, Equatable {
    /// Leave it in the queue: it comes back after the visibility timeout until the queue's redrive
    /// policy moves it to a dead-letter queue.
    case leave
    /// Delete it (the consumer has kept it somewhere).
    case delete
}

extension Duration {
    /// As seconds; Duration has no such accessor.
    var inSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }

    /// Whole seconds, rounded up (SQS takes integers).
    var wholeSeconds: Int { Int(inSeconds.rounded(.up)) }
}
