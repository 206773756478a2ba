import FlowEngine
import FlowPluginSupport

/// `health.targets{ target_group = "green-tg", min_healthy = "100%" }`.
struct TargetsInput: Decodable, Sendable {
    var target_group: String
    var min_healthy: Threshold?
    var region: String?
}

/// `health.target_health{ target_group = ... }`: the raw read, for Lua gates.
struct TargetHealthInput: Decodable, Sendable {
    var target_group: String
    var region: String?
}

enum TargetsGate {
    static func validate(_ targetGroup: String) throws {
        guard !targetGroup.isEmpty else {
            throw StepArgumentError(path: ["target_group"], problem: "a target group ARN or name is required")
        }
    }

    static func measure(_ input: TargetsInput, _ aws: AWSStepEnvironment, _ context: StepContext) async throws -> GateResult {
        let client = try aws.client(region: input.region, context: context)
        let found = try await AWSReads.targetHealth(input.target_group, client: client)
        return TargetHealthEvaluation.evaluate(found.targets, minHealthy: input.min_healthy ?? .percent(100), group: found.name)
    }

    static func gate(_ aws: AWSStepEnvironment) -> StepFunction {
        .gate("targets", summary: "Every target of a target group: enough healthy, none unused.",
              input: TargetsInput.self, validate: { try validate($0.target_group) }) { input, context in
            try await measure(input, aws, context)
        }
    }

    static func raw(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("target_health", summary: "DescribeTargetHealth of a target group (ARN or name).", idempotent: true,
              readOnly: true, input: TargetHealthInput.self, validate: { try validate($0.target_group) }) { input, context -> StepValue in
            let client = try aws.client(region: input.region, context: context)
            let found = try await AWSReads.targetHealth(input.target_group, client: client)
            return .record(["target_group": .string(found.arn), "name": .string(found.name),
                            "targets": .list(found.targets.map(\.luaValue))])
        }
    }
}
