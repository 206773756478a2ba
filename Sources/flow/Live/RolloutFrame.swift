import FlowEngine
import FlowLua

/// Draws a `RolloutModel` as the lines of the live view, at a given time and width:
///
///     flow canary.lua · canary-1 · running 1m05s · 7 steps
///     step     [7] health.all · 12s · 6 measurements
///     weights  blue 90% ███████████████████████████████████▒▒▒▒ 10% green
///     gate     health.all ✓ pass #6 · targets: 2 of 2 healthy
///                targets.healthy=2 targets.total=2
///
/// Logs, warnings and finished steps are not in it: they scroll above it (`HistoryLine`).
/// Lines may be longer than the terminal: the screen cuts each one to its width.
struct RolloutFrame {
    var columns: Int
    var unicode: Bool
    /// ` --home DIR` for the commands the view suggests, when the home is not the default.
    var homeSuffix = ""

    static let labelWidth = 9

    func lines(_ m: RolloutModel, now: Millis) -> [StyledLine] {
        var out = [header(m, now: now)]
        if let step = stepLine(m, now: now) { out.append(step) }
        if let next = nextLine(m, now: now) { out.append(next) }
        out += weightLines(m)
        out += gateLines(m)
        out += statusLines(m, now: now)
        return out
    }

    func label(_ text: String, _ style: Style = .dim) -> StyledLine {
        let pad = max(1, Self.labelWidth - text.count)
        var l = StyledLine(text, style)
        l.append(String(repeating: " ", count: pad))
        return l
    }

    func header(_ m: RolloutModel, now: Millis) -> StyledLine {
        var l = StyledLine("flow ", .bold)
        let workflow = m.workflow.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "…"
        l.append(workflow, .bold)
        if let id = m.id {
            l.append(" · ", .dim)
            l.append(id, .cyan)
        }
        let (phase, style) = Self.phase(m)
        l.append(" · ", .dim)
        l.append(phase, style)
        if let start = m.startedAt {
            l.append(" " + Durations.clock((m.finishedAt ?? now) - start), .dim)
        }
        if m.stepsDone > 0 { l.append(" · \(m.stepsDone) step\(m.stepsDone == 1 ? "" : "s")", .dim) }
        if m.resumed { l.append(" · resumed", .dim) }
        return l
    }

    static func phase(_ m: RolloutModel) -> (String, Style) {
        if let o = m.outcome {
            switch o {
            case .succeeded: return ("succeeded", .boldGreen)
            case .failed: return ("failed", .boldRed)
            case .cancelled: return ("cancelled", .boldYellow)
            case .aborted: return ("aborted", .boldYellow)
            case .interrupted: return ("interrupted", .yellow)
            case .alreadyFinished(let s): return (s.rawValue, .bold)
            }
        }
        if m.compensation != nil { return ("failing back", .boldRed) }
        if m.paused != nil || m.awaitingPromotion { return ("paused", .boldYellow) }
        if m.driver == .none { return ("interrupted", .yellow) }
        if m.id == nil { return ("starting", .dim) }
        if let w = m.wait { return (w.kind == .native || m.retrying ? "retrying" : "waiting", .cyan) }
        return ("running", .green)
    }
}
