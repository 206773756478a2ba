import FlowLua

/// The one-line result of a timeline step, worded once for `flow show` and the dashboard:
/// weights as `blue 90 · green 10`, a gate's verdict as `pass: reason`, a process as `exit 0`,
/// errors as `Name: message`, anything else through `render` (each caller's compact JSON).
public enum StepResultText {
    /// How the result should look: each caller maps it to its colours or CSS classes.
    public enum Tone: String, Sendable {
        case plain = "", ok, bad, warn, live
    }

    public static func weights(_ w: [String: Int]) -> String {
        w.keys.sorted().map { "\($0) \(w[$0]!)" }.joined(separator: " · ")
    }

    /// "16:32:49.123" (UTC).
    public static func clock(_ m: Millis) -> String { String(WallClock.iso8601(m).dropFirst(11).dropLast()) }

    /// `stop`: why the body stopped, for a step it stopped during.
    public static func of(_ s: ExecutionTimeline.Step, stop: CompensationReason?,
                          render: (LuaValue) -> String) -> (text: String, tone: Tone) {
        switch s.status {
        case .running:
            if let target = s.targetWeights { return ("running: to " + weights(target), .live) }
            if let deadline = s.attempts.last?.deadline, s.kind == .sleep || s.kind == .signal {
                return ("waiting until \(clock(deadline))", .live)
            }
            return ("running…", .live)
        case .waiting:
            let retry = s.retryAt.map { " (retry at \(clock($0)))" } ?? ""
            return (s.error.map { $0.name + retry + ": " + $0.message } ?? "failed" + retry, .warn)
        case .failed:
            return (s.error.map { "\($0.name): \($0.message)" } ?? "failed", .bad)
        case .stopped:
            let why = switch stop { case .aborted?: "by the abort"; case .cancelled?: "by the cancel"; default: "with the body" }
            return ("stopped \(why), no outcome" + (s.targetWeights.map { " (was setting \(weights($0)))" } ?? ""), .warn)
        case .succeeded:
            let tone: Tone = verdict(s.result).map { $0.status == "pass" ? .ok : .warn } ?? .plain
            return (value(s.result ?? .nil, kind: s.kind, render: render), tone)
        }
    }

    public static func value(_ v: LuaValue, kind: StepKind, render: (LuaValue) -> String) -> String {
        if case .table(let t) = v {
            if let w = ExecutionTimeline.weightsTable(t["weights"] ?? .nil), t["previous"] != nil || t["zone_id"] != nil {
                return weights(w) + (t["changed"] == .bool(false) ? " (unchanged)" : "")
            }
            if let g = verdict(v) { return g.status + (g.reason.map { ": " + $0 } ?? "") }
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
        return render(v)
    }

    /// A gate's verdict `{status = "pass" | "fail" | "inconclusive", reason, value}`.
    public static func verdict(_ v: LuaValue?) -> (status: String, reason: String?, value: LuaValue)? {
        guard let v, case .table(let t) = v, let status = t["status"]?.stringValue,
              ["pass", "fail", "inconclusive"].contains(status) else { return nil }
        return (status, t["reason"]?.stringValue, t["value"] ?? .nil)
    }
}
