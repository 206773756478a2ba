import FlowEngine

/// `require "flow.health"`.
public struct HealthPlugin: StepPlugin {
    public let name = "health"
    public let summary = "health steps"
    public init() {}
    public var functions: [StepFunction] { [] }
}
