/// SQS over JSON 1.0: what flow needs to consume EventBridge-fed queues.
public struct SQS: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    public struct Message: Codable, Sendable, Equatable {
        public var MessageId: String
        public var ReceiptHandle: String
        public var Body: String
        public var Attributes: [String: String]?
    }

    public struct BatchResult: Codable, Sendable {
        public struct Entry: Codable, Sendable { public var Id: String }
        public struct Failure: Codable, Sendable { public var Id: String; public var Code: String; public var Message: String? }
        public var Successful: [Entry]?
        public var Failed: [Failure]?
    }

    public func createQueue(name: String, attributes: [String: String]? = nil) async throws -> String {
        struct In: Encodable { var QueueName: String; var Attributes: [String: String]? }
        struct Out: Decodable { var QueueUrl: String }
        return try await client.json(.sqs, "CreateQueue", In(QueueName: name, Attributes: attributes), as: Out.self).QueueUrl
    }

    public func getQueueURL(name: String) async throws -> String {
        struct In: Encodable { var QueueName: String }
        struct Out: Decodable { var QueueUrl: String }
        return try await client.json(.sqs, "GetQueueUrl", In(QueueName: name), as: Out.self).QueueUrl
    }

    @discardableResult
    public func sendMessage(queueURL: String, body: String) async throws -> String {
        struct In: Encodable { var QueueUrl: String; var MessageBody: String }
        struct Out: Decodable { var MessageId: String }
        return try await client.json(.sqs, "SendMessage", In(QueueUrl: queueURL, MessageBody: body), as: Out.self).MessageId
    }

    /// Long-polls up to `waitSeconds` (max 20); the per-attempt timeout must exceed it.
    public func receiveMessage(queueURL: String, maxMessages: Int = 10, waitSeconds: Int = 0,
                               visibilityTimeout: Int? = nil) async throws -> [Message] {
        struct In: Encodable {
            var QueueUrl: String; var MaxNumberOfMessages: Int; var WaitTimeSeconds: Int
            var VisibilityTimeout: Int?; var MessageSystemAttributeNames: [String]
        }
        struct Out: Decodable { var Messages: [Message]? }
        let input = In(QueueUrl: queueURL, MaxNumberOfMessages: maxMessages, WaitTimeSeconds: waitSeconds,
                       VisibilityTimeout: visibilityTimeout, MessageSystemAttributeNames: ["All"])
        return try await client.json(.sqs, "ReceiveMessage", input, as: Out.self).Messages ?? []
    }

    /// Deletes by receipt handle; ids are the handles' positions ("0", "1", ...). Per-entry failures
    /// come back in `Failed`, not as a thrown error.
    public func deleteMessageBatch(queueURL: String, receiptHandles: [String]) async throws -> BatchResult {
        struct Entry: Encodable { var Id: String; var ReceiptHandle: String }
        struct In: Encodable { var QueueUrl: String; var Entries: [Entry] }
        let entries = receiptHandles.enumerated().map { Entry(Id: "\($0.offset)", ReceiptHandle: $0.element) }
        return try await client.json(.sqs, "DeleteMessageBatch", In(QueueUrl: queueURL, Entries: entries), as: BatchResult.self)
    }

    public func changeMessageVisibility(queueURL: String, receiptHandle: String, timeoutSeconds: Int) async throws {
        struct In: Encodable { var QueueUrl: String; var ReceiptHandle: String; var VisibilityTimeout: Int }
        _ = try await client.json(.sqs, "ChangeMessageVisibility",
                                  In(QueueUrl: queueURL, ReceiptHandle: receiptHandle, VisibilityTimeout: timeoutSeconds),
                                  as: EmptyOutput.self)
    }

    public func getQueueArn(queueURL: String) async throws -> String {
        struct In: Encodable { var QueueUrl: String; var AttributeNames: [String] }
        struct Out: Decodable { var Attributes: [String: String]? }
        let out = try await client.json(.sqs, "GetQueueAttributes", In(QueueUrl: queueURL, AttributeNames: ["QueueArn"]), as: Out.self)
        return out.Attributes?["QueueArn"] ?? ""
    }
}
