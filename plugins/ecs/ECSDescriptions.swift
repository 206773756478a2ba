/// What scripts get back: `describe_service` and `await_stable` return a service, `await_task`
/// a task. Keys are snake_case like every keyword table in flow.
struct ServiceDescription: Encodable, Sendable, Equatable {
    struct Deployment: Encodable, Sendable, Equatable {
        var id: String?
        var status: String?
        var rollout_state: String?
        var task_definition: String?
        var desired: Int
        var running: Int
        var pending: Int
        var failed: Int
    }

    var status: String?
    var desired: Int
    var running: Int
    var pending: Int
    var task_definition: String?
    var deployments: [Deployment]

    init(_ s: ServiceRecord) {
        status = s.status
        desired = s.desiredCount ?? 0
        running = s.runningCount ?? 0
        pending = s.pendingCount ?? 0
        task_definition = s.taskDefinition
        deployments = (s.deployments ?? []).map {
            Deployment(id: $0.id, status: $0.status, rollout_state: $0.rolloutState.flatMap { $0.isEmpty ? nil : $0 },
                       task_definition: $0.taskDefinition, desired: $0.desiredCount ?? 0, running: $0.runningCount ?? 0,
                       pending: $0.pendingCount ?? 0, failed: $0.failedTasks ?? 0)
        }
    }
}

struct TaskDescription: Encodable, Sendable, Equatable {
    struct Container: Encodable, Sendable, Equatable {
        var name: String?
        var last_status: String?
    }

    var task_arn: String
    var task_definition: String?
    var last_status: String?
    var desired_status: String?
    var group: String?
    var containers: [Container]
    /// Epoch seconds; absent until the task has started (and always from moto).
    var started_at: Double?

    init(_ t: TaskRecord) {
        task_arn = t.taskArn
        task_definition = t.taskDefinitionArn
        last_status = t.lastStatus
        desired_status = t.desiredStatus
        group = t.group
        containers = (t.containers ?? []).map { Container(name: $0.name, last_status: $0.lastStatus) }
        started_at = t.startedAt?.seconds
    }
}
