/// ECS as these steps read it: FlowAWS's models leave out fields a rollout needs (failedTasks,
/// rolloutStateReason, the deployment's and tasks' timestamps, why a task stopped).
struct DeploymentRecord: Decodable, Sendable, Equatable {
    var id: String?
    var status: String?
    var taskDefinition: String?
    var desiredCount: Int?
    var runningCount: Int?
    var pendingCount: Int?
    var failedTasks: Int?
    var rolloutState: String?
    var rolloutStateReason: String?
    var createdAt: EpochSeconds?
}

struct ServiceRecord: Decodable, Sendable, Equatable {
    var serviceName: String
    var status: String?
    var taskDefinition: String?
    var desiredCount: Int?
    var runningCount: Int?
    var pendingCount: Int?
    var deployments: [DeploymentRecord]?

    var primary: DeploymentRecord? { deployments?.first { $0.status == "PRIMARY" } }
}

struct ContainerRecord: Decodable, Sendable, Equatable {
    var name: String?
    var lastStatus: String?
    var exitCode: Int?
    var reason: String?
}

struct TaskRecord: Decodable, Sendable, Equatable {
    var taskArn: String
    var taskDefinitionArn: String?
    var lastStatus: String?
    var desiredStatus: String?
    var group: String?
    var containers: [ContainerRecord]?
    var createdAt: EpochSeconds?
    var startedAt: EpochSeconds?
    var stoppedAt: EpochSeconds?
    var stoppedReason: String?
    var stopCode: String?

    /// The task id, the last part of its ARN: what a person recognises in the console.
    var shortID: String { taskArn.split(separator: "/").last.map(String.init) ?? taskArn }
}

/// An ECS timestamp: epoch seconds on the wire (JSON 1.1). Anything else reads as unknown rather
/// than failing the whole response over a field that is only used for ordering.
struct EpochSeconds: Decodable, Sendable, Equatable, Comparable {
    var seconds: Double?

    init(_ seconds: Double?) { self.seconds = seconds }

    init(from decoder: any Decoder) throws {
        seconds = try? decoder.singleValueContainer().decode(Double.self)
    }

    static func < (a: EpochSeconds, b: EpochSeconds) -> Bool { (a.seconds ?? -.infinity) < (b.seconds ?? -.infinity) }
}

/// Names as ECS prints them in short form.
enum ECSNames {
    /// `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME` or `NAME` → `NAME`.
    static func serviceName(_ service: String) -> String {
        service.split(separator: "/").last.map(String.init) ?? service
    }

    /// `arn:...:task-definition/web:3` → `web:3`; `web:3` stays.
    static func taskDefinition(_ td: String) -> String {
        td.split(separator: "/").last.map(String.init) ?? td
    }

    /// `web:3`, `web` or a task definition ARN → `web`.
    static func family(_ td: String) -> String {
        let short = taskDefinition(td)
        return short.split(separator: ":").first.map(String.init) ?? short
    }
}
