import FlowEngine
import FlowPluginSupport

/// `require "flow.ecs"`: read a service, and wait (inside one step, journaling only the outcome)
/// for a task to come up or a deployment to settle.
public struct ECSPlugin: StepPlugin {
    public let name = "ecs"
    public let summary = "ECS services and tasks: describe, wait for a task, wait for a stable deployment."
    let aws: AWSStepEnvironment

    public init(aws: AWSStepEnvironment) {
        self.aws = aws
    }

    public var functions: [StepFunction] {
        [DescribeServiceStep.function(aws), AwaitTaskStep.function(aws), AwaitStableStep.function(aws),
         AwaitEventStep.function(aws)]
    }
}
