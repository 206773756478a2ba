/// ECS over JSON 1.1. Models carry only the fields flow reads; timestamps are epoch seconds.
public struct ECS: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    public struct Deployment: Codable, Sendable {
        public var id: String?
        public var status: String?
        public var taskDefinition: String?
        public var desiredCount: Int?
        public var runningCount: Int?
        public var pendingCount: Int?
        public var rolloutState: String?
    }

    public struct Service: Codable, Sendable {
        public var serviceName: String
        public var serviceArn: String?
        public var clusterArn: String?
        public var status: String?
        public var taskDefinition: String?
        public var desiredCount: Int?
        public var runningCount: Int?
        public var pendingCount: Int?
        public var deployments: [Deployment]?
    }

    public struct Failure: Codable, Sendable { public var arn: String?; public var reason: String?; public var detail: String? }

    public struct Container: Codable, Sendable { public var name: String?; public var lastStatus: String?; public var exitCode: Int? }

    public struct Task: Codable, Sendable {
        public var taskArn: String
        public var clusterArn: String?
        public var taskDefinitionArn: String?
        public var lastStatus: String?
        public var desiredStatus: String?
        public var group: String?
        public var healthStatus: String?
        public var startedBy: String?
        public var containers: [Container]?
    }

    public struct ContainerDefinition: Codable, Sendable {
        public var name: String
        public var image: String
        public var memory: Int?
        public var cpu: Int?
        public var essential: Bool?
        public init(name: String, image: String, memory: Int? = nil, cpu: Int? = nil, essential: Bool? = true) {
            self.name = name; self.image = image; self.memory = memory; self.cpu = cpu; self.essential = essential
        }
    }

    public struct TaskDefinition: Codable, Sendable {
        public var taskDefinitionArn: String
        public var family: String
        public var revision: Int
        public var status: String?
        public var containerDefinitions: [ContainerDefinition]
    }

    /// Services not found come back in `failures`, as the API does, not as an error.
    public func describeServices(cluster: String, services: [String]) async throws -> (services: [Service], failures: [Failure]) {
        struct In: Encodable { var cluster: String; var services: [String] }
        struct Out: Decodable { var services: [Service]?; var failures: [Failure]? }
        // The API takes at most 10 names per call.
        var all: [Service] = [], failed: [Failure] = []
        for start in stride(from: 0, to: services.count, by: 10) {
            let chunk = Array(services[start..<min(start + 10, services.count)])
            let out = try await client.json(.ecs, "DescribeServices", In(cluster: cluster, services: chunk), as: Out.self)
            all += out.services ?? []
            failed += out.failures ?? []
        }
        return (all, failed)
    }

    /// Every task ARN, following nextToken. moto ignores `serviceName` (DESIGN.md).
    public func listTasks(cluster: String, serviceName: String? = nil, family: String? = nil,
                          desiredStatus: String? = nil) async throws -> [String] {
        struct In: Encodable {
            var cluster: String; var serviceName: String?; var family: String?; var desiredStatus: String?; var nextToken: String?
        }
        struct Out: Decodable { var taskArns: [String]?; var nextToken: String? }
        var arns: [String] = []
        var input = In(cluster: cluster, serviceName: serviceName, family: family, desiredStatus: desiredStatus)
        for _ in 0..<100_000 {
            let out = try await client.json(.ecs, "ListTasks", input, as: Out.self)
            arns += out.taskArns ?? []
            guard let next = out.nextToken, !next.isEmpty, next != input.nextToken else { break }
            input.nextToken = next
        }
        return arns
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> (tasks: [Task], failures: [Failure]) {
        struct In: Encodable { var cluster: String; var tasks: [String] }
        struct Out: Decodable { var tasks: [Task]?; var failures: [Failure]? }
        var all: [Task] = [], failed: [Failure] = []
        // At most 100 tasks per call.
        for start in stride(from: 0, to: tasks.count, by: 100) {
            let chunk = Array(tasks[start..<min(start + 100, tasks.count)])
            let out = try await client.json(.ecs, "DescribeTasks", In(cluster: cluster, tasks: chunk), as: Out.self)
            all += out.tasks ?? []
            failed += out.failures ?? []
        }
        return (all, failed)
    }

    public func describeTaskDefinition(_ taskDefinition: String) async throws -> TaskDefinition {
        struct In: Encodable { var taskDefinition: String }
        struct Out: Decodable { var taskDefinition: TaskDefinition }
        return try await client.json(.ecs, "DescribeTaskDefinition", In(taskDefinition: taskDefinition), as: Out.self).taskDefinition
    }

    @discardableResult
    public func updateService(cluster: String, service: String, taskDefinition: String? = nil,
                              desiredCount: Int? = nil, forceNewDeployment: Bool? = nil) async throws -> Service {
        struct In: Encodable {
            var cluster: String; var service: String; var taskDefinition: String?; var desiredCount: Int?; var forceNewDeployment: Bool?
        }
        struct Out: Decodable { var service: Service }
        return try await client.json(.ecs, "UpdateService", In(cluster: cluster, service: service, taskDefinition: taskDefinition,
                                                               desiredCount: desiredCount, forceNewDeployment: forceNewDeployment),
                                     as: Out.self).service
    }
}
