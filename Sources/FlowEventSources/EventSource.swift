/// Where events come from: an SQS queue fed by an EventBridge rule, the ECS API polled, an HTTP
/// listener, a file or stdin. Each hands over raw EventBridge envelopes; matching and
/// deduplication are the consumer's (ECS events arrive at least once and out of order).
public protocol EventSource: Sendable {
    /// The spec it was made from, e.g. "sqs:https://sqs.eu-west-1.amazonaws.com/123456789012/q".
    var description: String { get }

    /// Calls `deliver` for each event, one at a time, in arrival order; `deliver` returns after the
    /// consumer recorded it durably, then the source acknowledges it. Runs until the task is
    /// cancelled (then throws `CancellationError`) or the source ends (a file at EOF: returns).
    /// Transient failures (throttling, network) are retried with capped backoff and logged; a
    /// fatal one (no such queue, bad credentials) throws.
    ///
    /// If `deliver` throws, the event is not acknowledged: SQS leaves the message to come back
    /// after its visibility timeout, ECS polling offers it again at the next poll, HTTP answers
    /// 500 with the error, a file stops with that error.
    func run(_ deliver: @Sendable (IncomingEvent) async throws -> Void) async throws
}
