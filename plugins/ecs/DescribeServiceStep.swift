import FlowEngine
import FlowPluginSupport

/// `ecs.describe_service{ cluster, service }`.
struct DescribeServiceInput: Decodable, Sendable {
    var cluster: String
    var service: String
    var region: String?
}

enum DescribeServiceStep {
    static func function(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("describe_service", summary: "A service's counts, task definition and deployments.", idempotent: true,
              readOnly: true, input: DescribeServiceInput.self, validate: { input in
                  guard !input.cluster.isEmpty else { throw StepArgumentError(path: ["cluster"], problem: "must not be empty") }
                  guard !input.service.isEmpty else { throw StepArgumentError(path: ["service"], problem: "must not be empty") }
              }) { input, context -> ServiceDescription in
            let reads = ECSReads(client: try aws.client(region: input.region, context: context))
            return ServiceDescription(try await reads.service(cluster: input.cluster, service: input.service))
        }
    }
}
