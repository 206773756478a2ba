import FlowEngine

/// `require "flow.route53"`.
public struct Route53Plugin: StepPlugin {
    public let name = "route53"
    public let summary = "route53 steps"
    public init() {}
    public var functions: [StepFunction] { [] }
}
