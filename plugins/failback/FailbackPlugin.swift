import FlowEngine

/// `require "flow.failback"`.
public struct FailbackPlugin: StepPlugin {
    public let name = "failback"
    public let summary = "failback steps"
    public init() {}
    public var functions: [StepFunction] { [] }
}
