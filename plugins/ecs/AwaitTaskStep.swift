import FlowEngine
import FlowPluginSupport

/// `ecs.await_task{ cluster, service | container, status = "RUNNING", timeout = 600, every = 5, task_definition }`.
struct AwaitTaskInput: Decodable, Sendable {
    var cluster: String
    var service: String?
    var container: String?
    var status: String?
    var timeout: Double?
    var every: Double?
    var task_definition: String?
    var region: String?
}

enum AwaitTaskStep {
    /// lastStatus values a task whose desiredStatus is RUNNING can have on its way up.
    static let statuses = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"]

    static func match(_ input: AwaitTaskInput) throws -> TaskMatch {
        let selector: TaskMatch.Selector
        switch (input.service, input.container) {
        case (let s?, nil) where !s.isEmpty: selector = .service(s)
        case (nil, let c?) where !c.isEmpty: selector = .container(c)
        case (.some, .some): throw StepArgumentError(path: [], problem: "give service or container, not both")
        default: throw StepArgumentError(path: [], problem: "service or container is required")
        }
        let status = input.status ?? "RUNNING"
        guard statuses.contains(status) else {
            throw StepArgumentError(path: ["status"], problem: "expected one of: \(statuses.joined(separator: ", ")); got '\(status)'")
        }
        if let td = input.task_definition, td.isEmpty {
            throw StepArgumentError(path: ["task_definition"], problem: "must not be empty")
        }
        return TaskMatch(selector: selector, taskDefinition: input.task_definition, status: status)
    }

    static func validate(_ input: AwaitTaskInput) throws {
        guard !input.cluster.isEmpty else { throw StepArgumentError(path: ["cluster"], problem: "must not be empty") }
        _ = try match(input)
        try validateWait(timeout: input.timeout, every: input.every)
    }

    static func function(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("await_task", summary: "Wait for a task of a service (or with a container) to reach a status.",
              idempotent: true, handlesTimeout: true, input: AwaitTaskInput.self, validate: validate) { input, context -> TaskDescription in
            let match = try match(input)
            let reads = ECSReads(client: try aws.client(region: input.region, context: context))
            // ListTasks narrows by service or by family, never both: the two filters are not meant
            // to be combined, and the revision is checked on each task anyway.
            let (serviceName, family): (String?, String?) = switch match.selector {
            case .service(let s): (s, nil)
            case .container: (nil, input.task_definition.map(ECSNames.family))
            }
            let what = "no task of \(match.subject) in cluster \(input.cluster) reached \(match.status)"
            let task = try await poll(timeout: input.timeout ?? 600, every: input.every ?? 5,
                                      waitingFor: what) { () async throws -> PollStep<TaskRecord> in
                let tasks = try await reads.tasks(cluster: input.cluster, serviceName: serviceName, family: family,
                                                  desiredStatus: "RUNNING")
                if let ready = match.pick(tasks) { return .done(ready) }
                return .waiting(match.describe(tasks))
            }
            return TaskDescription(task)
        }
    }
}

/// `timeout` and `every` of the waiting steps.
func validateWait(timeout: Double?, every: Double?) throws {
    if let t = timeout, !(t > 0 && t <= 86_400) {
        throw StepArgumentError(path: ["timeout"], problem: "must be between 0 and 86400 seconds, got \(t)")
    }
    if let e = every, !(e > 0 && e <= 3600) {
        throw StepArgumentError(path: ["every"], problem: "must be between 0 and 3600 seconds, got \(e)")
    }
}
