/// EventBridge over JSON 1.1.
public struct EventBridge: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    public struct Entry: Codable, Sendable {
        public var Source: String
        public var DetailType: String
        /// The event's `detail`, as JSON text.
        public var Detail: String
        public var EventBusName: String?
        public var Resources: [String]?

        public init(source: String, detailType: String, detail: String, eventBusName: String? = nil, resources: [String]? = nil) {
            Source = source; DetailType = detailType; Detail = detail; EventBusName = eventBusName; Resources = resources
        }

        enum CodingKeys: String, CodingKey {
            case Source, DetailType = "DetailType", Detail, EventBusName, Resources
        }
    }

    public struct PutEventsResult: Decodable, Sendable {
        public struct Item: Decodable, Sendable { public var EventId: String?; public var ErrorCode: String?; public var ErrorMessage: String? }
        public var FailedEntryCount: Int
        public var Entries: [Item]
    }

    /// At most 10 entries per call (the service's limit). Per-entry failures are in the result.
    public func putEvents(_ entries: [Entry]) async throws -> PutEventsResult {
        struct In: Encodable { var Entries: [Entry] }
        return try await client.json(.eventbridge, "PutEvents", In(Entries: entries), as: PutEventsResult.self)
    }

    @discardableResult
    public func putRule(name: String, eventPattern: String, eventBusName: String? = nil) async throws -> String {
        struct In: Encodable { var Name: String; var EventPattern: String; var EventBusName: String?; var State = "ENABLED" }
        struct Out: Decodable { var RuleArn: String }
        return try await client.json(.eventbridge, "PutRule", In(Name: name, EventPattern: eventPattern, EventBusName: eventBusName),
                                     as: Out.self).RuleArn
    }

    public func putTargets(rule: String, targets: [(id: String, arn: String)], eventBusName: String? = nil) async throws {
        struct Target: Encodable { var Id: String; var Arn: String }
        struct In: Encodable { var Rule: String; var Targets: [Target]; var EventBusName: String? }
        struct Out: Decodable { var FailedEntryCount: Int? }
        let out = try await client.json(.eventbridge, "PutTargets", In(Rule: rule, Targets: targets.map { Target(Id: $0.id, Arn: $0.arn) },
                                                                       EventBusName: eventBusName), as: Out.self)
        if let failed = out.FailedEntryCount, failed > 0 {
            throw AWSError(service: AWSService.eventbridge.id, operation: "PutTargets", code: "FailedEntries",
                           message: "\(failed) target(s) not added")
        }
    }
}
