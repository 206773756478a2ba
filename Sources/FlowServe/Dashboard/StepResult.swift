import FlowEngine
import FlowLua

/// The result cell of a step, as `flow show` words it (FlowEngine's `StepResultText`), with
/// its tone as a CSS class: `ok`, `bad`, `warn`, `live`, or "".
enum StepResult {
    static func of(_ s: ExecutionTimeline.Step, stop: CompensationReason?) -> (text: String, tone: String) {
        let (text, tone) = StepResultText.of(s, stop: stop, render: DashValue.render)
        return (text, tone.rawValue)
    }

    static func verdict(_ v: LuaValue?) -> (status: String, reason: String?, value: LuaValue)? {
        StepResultText.verdict(v)
    }
}
