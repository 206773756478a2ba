import FlowEngine

/// One notification for one webhook: the JSON body is rendered when it is queued, so delivery
/// only sends bytes. `kind` (`started`, `gate_failed`, `notify`, ...) names it in log lines.
public struct WebhookMessage: Sendable, Equatable {
    public var url: String
    public var kind: String
    public var body: [UInt8]

    public init(url: String, kind: String, body: [UInt8]) {
        self.url = url
        self.kind = kind
        self.body = body
    }

    /// A JSON object body: `fields` must hold a Slack-compatible `text`.
    public init(url: String, kind: String, fields: [String: StepValue]) {
        self.init(url: url, kind: kind, body: Array(PlainJSON.render(.table(fields)).utf8))
    }
}

/// How hard delivery tries: a few attempts with a short timeout and backoff each, so one
/// notification costs at most `attempts × timeout + backoffs` (about 10 s by default) and a dead
/// webhook never holds the queue for long.
public struct DeliveryPolicy: Sendable, Equatable {
    public var attempts = 3
    /// For one whole POST: connect, request, response head and body.
    public var timeout: Duration = .seconds(3)
    /// Before the 2nd attempt; doubled before each later one.
    public var backoff: Duration = .milliseconds(500)
    /// Messages waiting per webhook; beyond it the oldest is dropped (with a warning).
    public var capacity = 256
    /// How long `finish()` waits for the queues to drain before it gives up.
    public var finishWithin: Duration = .seconds(5)

    public init() {}

    public static let standard = DeliveryPolicy()
}
