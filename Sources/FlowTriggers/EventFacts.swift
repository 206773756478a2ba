import FlowEvents

/// What the decisions read from an ECS task event besides its key: which task and which of its
/// state changes (`detail.version`: a higher one is newer), and which service and task-definition
/// revision it is about. Every field is optional: an event without them is only deduplicated by
/// its key.
public struct EventFacts: Sendable, Equatable, Codable {
    /// The envelope's `id`, for the log.
    public var eventID: String?
    /// `detail.taskArn`.
    public var task: String?
    /// `detail.version`: ECS counts each task's state changes; duplicates share it.
    public var version: Int64?
    /// `detail.clusterArn` + "/" + NAME from `detail.group` "service:NAME".
    public var service: String?
    /// The family and revision of `detail.taskDefinitionArn` (".../task-definition/FAMILY:REV").
    public var family: String?
    public var revision: Int64?

    public init(eventID: String? = nil, task: String? = nil, version: Int64? = nil, service: String? = nil,
                family: String? = nil, revision: Int64? = nil) {
        self.eventID = eventID
        self.task = task
        self.version = version
        self.service = service
        self.family = family
        self.revision = revision
    }

    public init(event: JSONValue) {
        let detail = event["detail"]
        eventID = event["id"]?.stringValue
        task = detail?["taskArn"]?.stringValue
        version = detail?["version"].flatMap(Self.integer)
        if let cluster = detail?["clusterArn"]?.stringValue, let group = detail?["group"]?.stringValue,
           group.hasPrefix("service:") {
            service = cluster + "/" + group.dropFirst("service:".count)
        }
        if let arn = detail?["taskDefinitionArn"]?.stringValue {
            (family, revision) = Self.familyAndRevision(arn)
        }
    }

    /// "arn:aws:ecs:R:A:task-definition/web:12" -> ("web", 12); a bare "web:12" works too.
    static func familyAndRevision(_ arn: String) -> (String?, Int64?) {
        let name = arn.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? arn
        guard let colon = name.lastIndex(of: ":"), let revision = Int64(name[name.index(after: colon)...]) else {
            return (nil, nil)
        }
        return (String(name[..<colon]), revision)
    }

    /// A JSON integer (ECS sends `version` as a number; a numeric string is accepted too).
    static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let n): Int64(n.literal)
        case .string(let s): Int64(s)
        default: nil
        }
    }

    /// "FargateCluster/canary-green" for logs: the cluster's name rather than its ARN.
    public var serviceName: String? {
        guard let service else { return nil }
        let parts = service.split(separator: "/")
        return parts.suffix(2).joined(separator: "/")
    }
}
