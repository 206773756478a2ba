import FlowEngine
import FlowLua

/// The lines the live view leaves above its frame as a run goes on (they scroll away like
/// plain output): steps done or failed, gate verdicts, logs, warnings, operator commands.
/// Starts and measurements only change the frame.
enum HistoryLine {
    static func line(for event: ExecutionEvent, unicode: Bool) -> StyledLine? {
        let ok = unicode ? "✓ " : "+ ", bad = unicode ? "✗ " : "x ", note = unicode ? "» " : "> "
        var l = StyledLine()
        switch event {
        case .replayed(let n):
            l.append(note + "replayed \(n) journaled step\(n == 1 ? "" : "s")", .dim)
        case .stepSucceeded(let seq, let kind, let name, _, let ms, let value):
            // A signal that timed out (nil) is no news: `flow.signal(name, {timeout = 0})` polls.
            if kind == .now || kind == .random || (kind == .signal && value.isNil) { return nil }
            l.append(ok, .green)
            l.append("[\(seq)] ", .dim)
            l.append(RolloutFrame.title(kind: kind, name: name))
            if let w = Weights.of(step: name, value) { l.append(" " + w.text, .cyan) }
            if kind != .signal { l.append(" · " + Durations.precise(ms), .dim) }
        case .stepFailed(let seq, let kind, let name, let attempt, let error, let retryIn):
            l.append(bad, .red)
            l.append("[\(seq)] ", .dim)
            l.append(RolloutFrame.title(kind: kind, name: name) + (attempt > 1 ? " attempt \(attempt)" : "") + ": ")
            l.append(error.description, .red)
            if let r = retryIn { l.append(" · retry in " + Durations.precise(r), .dim) }
        case .gateFinished(let seq, let name, let status, let n, let ms, let value):
            let passed = status == "pass"
            l.append(passed ? ok : status == "fail" ? bad : "? ", passed ? .green : status == "fail" ? .red : .yellow)
            l.append("[\(seq)] ", .dim)
            l.append(name + " ")
            l.append(passed ? "passed" : status == "fail" ? "FAILED" : status, passed ? .green : status == "fail" ? .boldRed : .yellow)
            l.append(" after \(n) measurement\(n == 1 ? "" : "s") · " + Durations.precise(ms), .dim)
            if !passed, let reason = value["reason"].stringValue { l.append(": " + reason) }
        case .log(let message):
            l.append("  " + message)
        case .warning(let message):
            l.append("! warning: " + message, .yellow)
        case .operatorAction(let action, let by, let reason):
            l.append(note + action.replacingOccurrences(of: "_", with: " "), .yellow)
            l.append(" by \(by)" + (reason.map { ": \($0)" } ?? ""))
        case .compensating(let reason, let error):
            l.append(bad + (reason == .failed ? "failed" : reason.rawValue) + " (\(error.name)); ", .red)
            l.append("running on_failure handlers")
        default:
            return nil
        }
        return l
    }
}
