import FlowEngine
import FlowLua

/// The RESULT cell of a step: what a person wants to see at a glance. Weights as
/// `blue 90 · green 10`, a gate's verdict as `pass: reason`, a process as `exit 0`, errors as
/// `Name: message`, anything else as compact JSON (cut to the column by the table).
enum ResultText {
    static func weights(_ w: [String: Int]) -> String {
        w.keys.sorted().map { "\($0) \(w[$0]!)" }.joined(separator: " · ")
    }

    static func error(_ e: StepError) -> String { "\(e.name): \(e.message)" }

    /// `stop`: why the body stopped, for a step it stopped during.
    static func step(_ s: ExecutionTimeline.Step, stop: CompensationReason? = nil) -> TextTable.Cell {
        switch s.status {
        case .running:
            let last = s.attempts.last
            if let target = s.targetWeights { return TextTable.Cell("running: to " + weights(target), .yellow) }
            if let deadline = last?.deadline, s.kind == .sleep || s.kind == .signal {
                return TextTable.Cell("waiting until \(TimeText.clock(deadline))", .yellow)
            }
            return TextTable.Cell("running…", .yellow)
        case .waiting:
            let retry = s.retryAt.map { " (retry at \(TimeText.clock($0)))" } ?? ""
            return TextTable.Cell(s.error.map { $0.name + retry + ": " + $0.message } ?? "failed" + retry, .yellow)
        case .failed:
            return TextTable.Cell(s.error.map(error) ?? "failed", .red)
        case .stopped:
            let why = switch stop { case .aborted?: "by the abort"; case .cancelled?: "by the cancel"; default: "with the body" }
            return TextTable.Cell("stopped \(why), no outcome" + (s.targetWeights.map { " (was setting \(weights($0)))" } ?? ""), .yellow)
        case .succeeded:
            return TextTable.Cell(value(s.result ?? .nil, kind: s.kind))
        }
    }

    static func value(_ v: LuaValue, kind: StepKind) -> String {
        if case .table(let t) = v {
            if let w = ExecutionTimeline.weightsTable(t["weights"] ?? .nil), t["previous"] != nil || t["zone_id"] != nil {
                return weights(w) + (t["changed"] == .bool(false) ? " (unchanged)" : "")
            }
            if let status = t["status"]?.stringValue, ["pass", "fail", "inconclusive"].contains(status) {
                return status + (t["reason"]?.stringValue.map { ": " + $0 } ?? "")
            }
            if let arn = t["task_arn"]?.stringValue, let status = t["last_status"]?.stringValue {
                return "\(status): \(arn.split(separator: ":").last.map(String.init) ?? arn)"
            }
            if case .int(let code)? = t["code"], t["stdout"] != nil {
                let out = (t["stdout"]?.stringValue ?? "").split(separator: "\n").first.map { ": " + $0 } ?? ""
                return "exit \(code)" + out
            }
        }
        if v.isNil {
            switch kind {
            case .sleep: return "slept"
            case .signal: return "no signal (timed out)"
            default: return ""
            }
        }
        return ValueText.render(v)
    }
}
