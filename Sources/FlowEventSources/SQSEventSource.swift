import FlowAWS
import Logging

/// Events from an SQS queue that an EventBridge rule (or SNS) feeds. Long-polls, hands each
/// message's body over in the order received, and deletes a message only after `deliver`
/// returned for it (one DeleteMessageBatch per received batch); while a delivery takes longer
/// than half the visibility timeout, a heartbeat extends the visibility of the batch's
/// unfinished messages, so no other consumer gets them meanwhile.
///
/// A body that is not a JSON object (nor an SNS notification carrying one) is poison: it goes to
/// `options.poison` or is logged, and is left in the queue for its redrive policy (a dead-letter
/// queue) unless the callback says delete. It is never deleted silently, since it could be an
/// event in a shape not foreseen here.
public struct SQSEventSource: EventSource {
    public let queueURL: String
    /// For ReceiveMessage: its per-attempt timeout outlasts the long poll.
    let receiveClient: AWSClient
    let client: AWSClient
    let options: EventSourceOptions

    public var description: String { "sqs:\(queueURL)" }

    public init(queueURL: String, client: AWSClient, options: EventSourceOptions = EventSourceOptions()) {
        self.queueURL = queueURL
        self.client = client
        self.options = options
        receiveClient = Self.client(client, perAttemptTimeout: options.longPollWait + .seconds(10))
    }

    public func run(_ deliver: @Sendable (IncomingEvent) async throws -> Void) async throws {
        let retry = TransientRetry(options: options, source: description)
        let sqs = SQS(client: receiveClient)
        while true {
            try Task.checkCancellation()
            let messages = try await retry.run("ReceiveMessage") {
                try await sqs.receiveMessage(queueURL: queueURL, maxMessages: options.maxMessages,
                                             waitSeconds: options.longPollWait.wholeSeconds,
                                             visibilityTimeout: options.visibilityTimeout.wholeSeconds)
            }
            guard !messages.isEmpty else { continue }
            try await work(on: messages, receivedAt: .now, deliver, retry)
        }
    }

    /// Delivers one received batch under a heartbeat, then deletes what was delivered.
    private func work(on messages: [SQS.Message], receivedAt: ContinuousClock.Instant,
                      _ deliver: @Sendable (IncomingEvent) async throws -> Void, _ retry: TransientRetry) async throws {
        let batch = SQSBatch(messages)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await heartbeat(batch, receivedAt: receivedAt) }
                defer { group.cancelAll() }
                for message in messages {
                    if Task.isCancelled { break }
                    await hand(message, in: batch, to: deliver)
                }
                try Task.checkCancellation()
                try await delete(batch.deletable(), from: batch, retry)
            }
        } catch is CancellationError {
            await shutDown(batch)
            throw CancellationError()
        }
    }

    private func hand(_ message: SQS.Message, in batch: SQSBatch,
                      to deliver: @Sendable (IncomingEvent) async throws -> Void) async {
        let id = message.MessageId
        let body: String
        switch Self.eventBody(message.Body) {
        case .success(let text): body = text
        case .failure(let problem):
            await poison(message, reason: problem.message, batch)
            return
        }
        let retry = TransientRetry(options: options, source: description)
        let event = IncomingEvent(body: body, origin: "\(description)#\(id)") {
            try await delete(batch.deletable([id]), from: batch, retry)
        }
        do {
            try await deliver(event)
            await batch.markDelivered(id)
        } catch {
            // Stopping: left pending, so the shutdown makes it visible again at once.
            if Task.isCancelled { return }
            await batch.release(id)
            options.logger.error("event not recorded; its message comes back after the visibility timeout", metadata: [
                "source": "\(description)", "message_id": "\(id)", "error": "\(error)",
            ])
        }
    }

    /// The event text in a message body: the body itself, or the "Message" of an SNS notification.
    static func eventBody(_ body: String) -> Result<String, JSONEventText.BodyProblem> {
        let text = JSONEventText.unwrapSNS(body) ?? body
        if let problem = JSONEventText.problem(text) {
            return .failure(.init(text == body ? "the body is \(problem)" : "the SNS message is \(problem)"))
        }
        return .success(text)
    }

    private func poison(_ message: SQS.Message, reason: String, _ batch: SQSBatch) async {
        let report = PoisonMessage(queueURL: queueURL, messageID: message.MessageId, body: message.Body, reason: reason,
                                   receiveCount: message.Attributes?["ApproximateReceiveCount"].flatMap { Int($0) })
        guard let callback = options.poison else {
            options.logger.warning("message is not an event; left for the queue's redrive policy", metadata: [
                "source": "\(description)", "message_id": "\(message.MessageId)", "reason": "\(reason)",
                "receive_count": "\(report.receiveCount.map(String.init) ?? "?")",
            ])
            await batch.release(message.MessageId)
            return
        }
        switch await callback(report) {
        case .leave: await batch.release(message.MessageId)
        case .delete: await batch.markDelivered(message.MessageId)
        }
    }
}
