import FlowEngine
import FlowPluginSupport

/// `ecs.await_stable{ cluster, service, timeout = 600, every = 5 }`.
struct AwaitStableInput: Decodable, Sendable {
    var cluster: String
    var service: String
    var timeout: Double?
    var every: Double?
    var region: String?
}

enum AwaitStableStep {
    static func validate(_ input: AwaitStableInput) throws {
        guard !input.cluster.isEmpty else { throw StepArgumentError(path: ["cluster"], problem: "must not be empty") }
        guard !input.service.isEmpty else { throw StepArgumentError(path: ["service"], problem: "must not be empty") }
        try validateWait(timeout: input.timeout, every: input.every)
    }

    static func function(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("await_stable", summary: "Wait until a service runs its desired count on a completed deployment, with no task stopping.",
              idempotent: true, handlesTimeout: true, input: AwaitStableInput.self, validate: validate) { input, context -> ServiceDescription in
            let reads = ECSReads(client: try aws.client(region: input.region, context: context))
            let name = ECSNames.serviceName(input.service)
            let what = "service \(name) in cluster \(input.cluster) was not stable"
            let stable = try await poll(timeout: input.timeout ?? 600, every: input.every ?? 5,
                                        waitingFor: what) { () async throws -> PollStep<ServiceRecord> in
                let service = try await reads.service(cluster: input.cluster, service: input.service)
                switch Stability.judge(service) {
                case .failed(let failure, let message):
                    throw StepFailure(failure, message, retryable: false)
                case .waiting(let seen):
                    return .waiting(seen)
                case .stable:
                    let tasks = try await reads.tasks(cluster: input.cluster, serviceName: service.serviceName,
                                                      desiredStatus: "STOPPED")
                    let stopped = Stability.stoppedSinceDeployment(tasks, service: service)
                    return stopped.isEmpty ? .done(service) : .waiting(Stability.describeStopped(stopped))
                }
            }
            return ServiceDescription(stable)
        }
    }
}
