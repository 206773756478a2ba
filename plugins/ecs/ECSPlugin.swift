import FlowEngine

/// `require "flow.ecs"`.
public struct ECSPlugin: StepPlugin {
    public let name = "ecs"
    public let summary = "ecs steps"
    public init() {}
    public var functions: [StepFunction] { [] }
}
