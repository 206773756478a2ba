import FlowEngine
import FlowPluginSupport
import FlowRoute53

/// `require "flow.failback"`: put a record's weights back when a rollout fails.
///
///     local failback = require "flow.failback"
///     local original = failback.arm{ zone = P.zone, record = P.record }
///
/// `arm` captures the weights (a journaled step) and registers a `flow.on_failure` handler that
/// restores them, so a failure, cancel or abort after it sends traffic back to blue. Nothing is
/// ever deleted: restoring is UPSERTs of weights only.
public struct FailbackPlugin: StepPlugin {
    public let name = "failback"
    public let summary = "Capture a record's weights and restore them when the workflow fails"
    let steps: Route53Steps

    public init(aws: AWSStepEnvironment) { steps = Route53Steps(aws: aws) }

    /// Compensation runs once, with nobody watching: it must outlast a throttling storm or a
    /// slow propagation (~10 attempts over several minutes) before it reports failure.
    public static let restoreRetry = FlowEngine.RetryPolicy(initial: 2, backoff: 2, maxInterval: 30, maxAttempts: 10)

    public var functions: [StepFunction] {
        let steps = self.steps
        return [
            .make("capture", summary: "Read and journal a record's weights, to restore later.", idempotent: true,
                  retry: Route53Plugin.retry, readOnly: true, input: WeightsInput.self, validate: WeightsInput.check) { input, context in
                try await steps.weights(input, context: context)
            },
            .make("restore", summary: "Set captured weights back, wait for INSYNC and verify.", idempotent: true,
                  retry: Self.restoreRetry, identity: ["zone", "record", "weights", "type"],
                  input: RestoreInput.self, validate: RestoreInput.check) { input, context in
                try await steps.setWeights(input.setWeights, context: context)
            },
        ]
    }

    public var luaSource: String? { FailbackLua.source }
}
