import FlowAWS
import FlowEngine
import FlowPluginSupport

/// The ECS calls behind the steps; AWS errors come out as `StepFailure`s.
struct ECSReads {
    let client: AWSClient

    /// DescribeServices answers an unknown service in `failures`, not as an error.
    func service(cluster: String, service: String) async throws -> ServiceRecord {
        struct In: Encodable { var cluster: String; var services: [String] }
        struct Failure: Decodable { var arn: String?; var reason: String? }
        struct Out: Decodable { var services: [ServiceRecord]?; var failures: [Failure]? }
        let out = try await awsStep {
            try await client.json(.ecs, "DescribeServices", In(cluster: cluster, services: [service]), as: Out.self)
        }
        guard let found = out.services?.first else {
            let why = out.failures?.first?.reason.map { " (\($0))" } ?? ""
            throw StepFailure("ServiceNotFound", "no service \(service) in cluster \(cluster)\(why)", retryable: false)
        }
        return found
    }

    /// ListTasks then DescribeTasks. `serviceName` narrows the list on AWS only (moto ignores it),
    /// so callers still check each task's group.
    func tasks(cluster: String, serviceName: String? = nil, family: String? = nil, desiredStatus: String) async throws -> [TaskRecord] {
        let arns = try await awsStep {
            try await ECS(client: client).listTasks(cluster: cluster, serviceName: serviceName, family: family,
                                                    desiredStatus: desiredStatus)
        }
        struct In: Encodable { var cluster: String; var tasks: [String] }
        struct Out: Decodable { var tasks: [TaskRecord]? }
        var tasks: [TaskRecord] = []
        // DescribeTasks takes at most 100 tasks per call.
        for start in stride(from: 0, to: arns.count, by: 100) {
            let chunk = Array(arns[start..<min(start + 100, arns.count)])
            let out = try await awsStep { try await client.json(.ecs, "DescribeTasks", In(cluster: cluster, tasks: chunk), as: Out.self) }
            tasks += out.tasks ?? []
        }
        return tasks
    }
}
