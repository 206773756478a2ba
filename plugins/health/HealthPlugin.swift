import FlowEngine
import FlowPluginSupport

/// `require "flow.health"`: gates that measure once per call (the engine polls them), and the
/// raw read-only calls custom Lua gates build on.
public struct HealthPlugin: StepPlugin {
    public let name = "health"
    public let summary = "Health gates: target groups, CloudWatch alarms and metrics, HTTP probes."
    let aws: AWSStepEnvironment

    public init(aws: AWSStepEnvironment) {
        self.aws = aws
    }

    public var functions: [StepFunction] {
        [
            TargetsGate.gate(aws), AlarmsGate.gate(aws), MetricGate.gate(aws), HTTPGate.gate(aws), AllGate.gate(aws),
            MetricGate.raw(aws), HTTPGate.raw(aws), AlarmsGate.raw(aws), TargetsGate.raw(aws),
        ]
    }
}
