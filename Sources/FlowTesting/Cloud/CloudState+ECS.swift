import FlowEngine

/// One task of a simulated service, as DescribeTasks would report it.
struct SimTask: Sendable, Equatable {
    var arn: String
    var taskDefinitionARN: String
    var lastStatus: String
    var desiredStatus: String
    var group: String
    var container: String

    var shortID: String { arn.split(separator: "/").last.map(String.init) ?? arn }

    /// `ecs.await_task`'s result.
    var value: StepValue {
        .record(["task_arn": .string(arn), "task_definition": .string(taskDefinitionARN), "last_status": .string(lastStatus),
                 "desired_status": .string(desiredStatus), "group": .string(group),
                 "containers": .list([.record(["name": .string(container), "last_status": .string(lastStatus)])])])
    }
}

/// ECS as the ecs plugin reads it (DescribeServices, ListTasks + DescribeTasks), from services'
/// counts: `running` RUNNING tasks, then `pending` PENDING ones, then `stopped` STOPPED ones.
extension CloudState {
    func service(cluster: String, service: String, operation: String = "DescribeServices") throws -> SimService {
        let cluster = CloudNames.clusterName(cluster), name = CloudNames.serviceName(service)
        try requireCluster(cluster, operation: operation)
        guard let found = services.first(where: { $0.cluster == cluster && $0.name == name }) else {
            throw StepFailure("ServiceNotFound", "no service \(service) in cluster \(cluster) (MISSING)", retryable: false)
        }
        return found
    }

    /// A cluster exists when a service of the scenario is in it.
    func requireCluster(_ cluster: String, operation: String) throws {
        guard services.contains(where: { $0.cluster == CloudNames.clusterName(cluster) }) else {
            throw StepFailure("ClusterNotFoundException", "ECS \(operation) failed: Cluster not found. (HTTP 400)", retryable: false)
        }
    }

    func tasks(_ s: SimService) -> [SimTask] {
        let td = CloudNames.taskDefinitionARN(s.taskDefinition, region: region)
        let statuses = Array(repeating: "RUNNING", count: s.running) + Array(repeating: "PENDING", count: s.pending)
            + Array(repeating: "STOPPED", count: s.stopped)
        return statuses.enumerated().map { i, status in
            SimTask(arn: CloudNames.taskARN(cluster: s.cluster, service: s.name, taskDefinition: s.taskDefinition, index: i, region: region),
                    taskDefinitionARN: td, lastStatus: status, desiredStatus: status == "STOPPED" ? "STOPPED" : "RUNNING",
                    group: "service:\(s.name)", container: s.containerName)
        }
    }

    /// Every task of the cluster's services.
    func tasks(cluster: String) throws -> [SimTask] {
        try requireCluster(cluster, operation: "ListTasks")
        return services.filter { $0.cluster == CloudNames.clusterName(cluster) }.flatMap(tasks)
    }

    /// `ecs.describe_service`'s result (and `ecs.await_stable`'s).
    func serviceValue(_ s: SimService) -> StepValue {
        let td = CloudNames.taskDefinitionARN(s.taskDefinition, region: region)
        let deployment = StepValue.record([
            "id": .string(CloudNames.deploymentID(cluster: s.cluster, service: s.name, taskDefinition: s.taskDefinition)),
            "status": "PRIMARY", "rollout_state": .string(s.effectiveRolloutState), "task_definition": .string(td),
            "desired": .int(s.desired), "running": .int(s.running), "pending": .int(s.pending), "failed": .int(s.stopped),
        ])
        return .record(["status": .string(s.status), "desired": .int(s.desired), "running": .int(s.running),
                        "pending": .int(s.pending), "task_definition": .string(td), "deployments": .list([deployment])])
    }
}
