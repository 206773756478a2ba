import FlowEngine
import FlowPluginSupport

/// `require "flow.route53"`: read and shift the weights of a weighted record (blue/green ALBs).
public struct Route53Plugin: StepPlugin {
    public let name = "route53"
    public let summary = "Read and set the weights of Route53 weighted records, waiting for INSYNC"
    let steps: Route53Steps

    public init(aws: AWSStepEnvironment) { steps = Route53Steps(aws: aws) }

    /// Throttling, 5xx and timeouts again after the client's own quick retries; errors a
    /// retry cannot fix (unknown set, bad zone) are marked not retryable and end it at once.
    public static let retry = FlowEngine.RetryPolicy(initial: 1, backoff: 2, maxInterval: 20, maxAttempts: 5)

    public var functions: [StepFunction] {
        let steps = self.steps
        return [
            .make("weights", summary: "Every weighted set of a record and its weight.", idempotent: true,
                  retry: Self.retry, readOnly: true, input: WeightsInput.self, validate: WeightsInput.check) { input, context in
                try await steps.weights(input, context: context)
            },
            .make("set_weights", summary: "Set absolute weights in one batch, wait for INSYNC and verify.", idempotent: true,
                  retry: Self.retry, identity: ["zone", "record", "weights", "type"],
                  input: SetWeightsInput.self, validate: SetWeightsInput.check) { input, context in
                try await steps.setWeights(input, context: context)
            },
        ]
    }
}
