import FlowAWS
import Logging

extension SQSEventSource {
    /// Deletes `entries` (retrying transient failures); entries SQS refuses (an expired receipt
    /// handle: the message was meanwhile received elsewhere) are logged and left to come back.
    func delete(_ entries: [SQSBatch.Entry], from batch: SQSBatch, _ retry: TransientRetry) async throws {
        guard !entries.isEmpty else { return }
        let sqs = SQS(client: client)
        let result = try await retry.run("DeleteMessageBatch") {
            try await sqs.deleteMessageBatch(queueURL: queueURL, receiptHandles: entries.map(\.receiptHandle))
        }
        // Ids are the handles' positions ("0", "1", ...).
        let failed = Set((result.Failed ?? []).compactMap { Int($0.Id) })
        await batch.markDeleted(entries.indices.filter { !failed.contains($0) }.map { entries[$0].id })
        for failure in result.Failed ?? [] {
            guard let index = Int(failure.Id), entries.indices.contains(index) else { continue }
            await batch.release(entries[index].id)
            options.logger.warning("message not deleted; it will come back", metadata: [
                "source": "\(description)", "message_id": "\(entries[index].id)", "code": "\(failure.Code)",
                "error": "\(failure.Message ?? "")",
            ])
        }
    }

    /// Every half visibility timeout after the receive, then every half extension, pushes the
    /// visibility of the batch's unfinished messages `extension` ahead. Ends when cancelled.
    func heartbeat(_ batch: SQSBatch, receivedAt: ContinuousClock.Instant) async {
        let sqs = SQS(client: client)
        let extensionSeconds = (options.visibilityExtension ?? options.visibilityTimeout).wholeSeconds
        var next = receivedAt + options.visibilityTimeout / 2
        while !Task.isCancelled {
            do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
            for entry in await batch.unfinished() {
                if Task.isCancelled { return }
                do {
                    try await sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: entry.receiptHandle,
                                                          timeoutSeconds: extensionSeconds)
                    options.logger.debug("visibility extended", metadata: [
                        "source": "\(description)", "message_id": "\(entry.id)", "seconds": "\(extensionSeconds)",
                    ])
                } catch {
                    options.logger.warning("cannot extend a message's visibility; it may be delivered twice", metadata: [
                        "source": "\(description)", "message_id": "\(entry.id)", "error": "\(error)",
                    ])
                }
            }
            next = .now + .seconds(extensionSeconds) / 2
        }
    }

    /// On cancellation: delete what was delivered and make the rest visible again at once, so a
    /// clean stop causes neither duplicates nor a wait. Runs outside the cancelled task with a
    /// client that gives up within seconds; a failure only means the message comes back later.
    func shutDown(_ batch: SQSBatch) async {
        let sqs = SQS(client: Self.client(client, perAttemptTimeout: .seconds(3), totalTimeout: .seconds(6)))
        let queueURL = queueURL, logger = options.logger, description = description
        await Task {
            let delivered = await batch.deletable()
            if !delivered.isEmpty {
                if let result = try? await sqs.deleteMessageBatch(queueURL: queueURL, receiptHandles: delivered.map(\.receiptHandle)) {
                    let failed = Set((result.Failed ?? []).compactMap { Int($0.Id) })
                    await batch.markDeleted(delivered.indices.filter { !failed.contains($0) }.map { delivered[$0].id })
                }
            }
            for entry in await batch.pending() {
                try? await sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: entry.receiptHandle, timeoutSeconds: 0)
            }
            logger.debug("batch released on shutdown", metadata: ["source": "\(description)"])
        }.value
    }

    /// `client` with other timeouts, sharing its connection pool and credentials (never shut down:
    /// the pool belongs to `client`'s owner).
    static func client(_ client: AWSClient, perAttemptTimeout: Duration, totalTimeout: Duration? = nil) -> AWSClient {
        var policy = client.retryPolicy
        if let totalTimeout {
            policy.perAttemptTimeout = perAttemptTimeout
            policy.totalTimeout = totalTimeout
            policy.maxAttempts = min(policy.maxAttempts, 2)
        } else {
            guard policy.perAttemptTimeout < perAttemptTimeout else { return client }
            policy.perAttemptTimeout = perAttemptTimeout
            policy.totalTimeout = max(policy.totalTimeout, perAttemptTimeout * 2)
        }
        return AWSClient(credentialsProvider: client.credentialsProvider, resolver: client.resolver, retryPolicy: policy,
                         logger: client.logger, httpClient: client.httpClient, maxResponseBytes: client.maxResponseBytes)
    }
}
