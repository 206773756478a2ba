import FlowEngine
import FlowLua

/// The step, timer, weights and gate lines of the frame.
extension RolloutFrame {
    static func title(kind: StepKind, name: String) -> String {
        switch kind {
        case .sleep: "sleep"
        case .signal: "signal \(name)"
        case .step: "step \(name)"
        default: name
        }
    }

    func stepLine(_ m: RolloutModel, now: Millis) -> StyledLine? {
        guard let s = m.current else { return nil }
        var l = label("step")
        l.append("[\(s.seq)] ", .dim)
        l.append(Self.title(kind: s.kind, name: s.name), .bold)
        l.append(" · " + Durations.clock(now - s.since))
        if s.attempt > 1 { l.append(" · attempt \(s.attempt)", .yellow) }
        if s.measurements > 0 { l.append(" · \(s.measurements) measurement\(s.measurements == 1 ? "" : "s")", .dim) }
        return l
    }

    /// The time to the next step: a sleep's end, a signal's timeout, a retry's backoff.
    func nextLine(_ m: RolloutModel, now: Millis) -> StyledLine? {
        guard let w = m.wait, m.outcome == nil else { return nil }
        var l = label("next")
        if m.retrying, let f = m.failure {
            l.append("attempt \(f.attempt + 1) of [\(w.seq)] \(Self.title(kind: w.kind, name: w.name))")
            if let until = w.until { l.append(until > now ? " in " + Durations.countdown(until - now) : " now", .cyan) }
            if m.paused != nil { l.append(" · held while paused", .yellow) }
            return l
        }
        switch w.kind {
        case .signal:
            l.append("on signal '\(w.name)'")
            if let until = w.until { l.append(" or its timeout in " + Durations.countdown(until - now), .cyan) }
            if !m.awaitingPromotion { l.append(" · flow signal \(m.id ?? "ID") \(w.name)\(homeSuffix)", .dim) }
        case .native:
            // A backoff journaled by an earlier process: the attempt it waits for is next.
            l.append("next attempt of [\(w.seq)] \(w.name)")
            if let until = w.until { l.append(until > now ? " in " + Durations.countdown(until - now) : " now", .cyan) }
        default:
            if let until = w.until {
                l.append(until > now ? "in " + Durations.countdown(until - now) : "now", .cyan)
                l.append(" (\(Self.title(kind: w.kind, name: w.name)))", .dim)
            } else {
                l.append(Self.title(kind: w.kind, name: w.name))
            }
        }
        if m.paused != nil { l.append(" · held while paused", .yellow) }
        return l
    }

    func weightLines(_ m: RolloutModel) -> [StyledLine] {
        let barColumns = columns - Self.labelWidth - 1
        guard let shown = m.weights ?? m.target else { return [] }
        var l = label("weights")
        l.append(Bar.line(shown, columns: barColumns, unicode: unicode))
        var out = [l]
        if let t = m.target, t != m.weights || m.weights == nil {
            var next = label("")
            next.append((unicode ? "→ " : "-> ") + "setting " + t.percentText, .yellow)
            out.append(next)
        }
        return out
    }

    func gateLines(_ m: RolloutModel) -> [StyledLine] {
        let gates = m.gates.suffix(RolloutModel.gatesShown)
        // `flow.gate("error_rate", ...)` is the step "gate error_rate": on a gate line, its name.
        func name(_ g: RolloutModel.Gate) -> String { g.name.hasPrefix("gate ") ? String(g.name.dropFirst(5)) : g.name }
        let nameWidth = min(24, gates.map { DisplayWidth.of(name($0)) }.max() ?? 0)
        var out: [StyledLine] = []
        for g in gates {
            var l = label("gate")
            let pad = max(0, nameWidth - DisplayWidth.of(name(g)))
            l.append(name(g) + String(repeating: " ", count: pad) + " ", .bold)
            let (glyph, word, style) = verdict(g)
            l.append(glyph + " " + word, style)
            l.append(g.final ? " after \(g.count)" : " #\(g.count)", .dim)
            if !g.reason.isEmpty { l.append(" · " + g.reason) }
            out.append(l)
            let values = MeasuredValues.summary(g.value)
            if !values.isEmpty {
                var v = label("")
                v.append("  " + values, .dim)
                out.append(v)
            }
        }
        return out
    }

    func verdict(_ g: RolloutModel.Gate) -> (String, String, Style) {
        switch g.status {
        case "pass": return (unicode ? "✓" : "+", g.final ? "passed" : "pass", .green)
        case "fail": return (unicode ? "✗" : "x", g.final ? "FAILED" : "fail", .boldRed)
        case "inconclusive": return ("?", "inconclusive", .yellow)
        default: return ("!", g.status, .yellow)
        }
    }
}
