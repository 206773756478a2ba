import FlowEngine

/// The end of `flow show`: how the execution ended (its result, or the cause of a failure,
/// cancel or abort) and what fail-back did: the compensation steps, their results, the
/// weights it left.
enum OutcomeText {
    static func render(_ t: ExecutionTimeline, status: String, style: TerminalStyle) -> [String] {
        var lines: [String] = []
        let o = t.outcome
        let paint: TerminalStyle.Paint = switch o.status {
        case .succeeded?: .green
        case .failed?: .red
        case .cancelled?, .aborted?: .yellow
        case nil: .cyan
        }
        let end = o.finishedAt ?? t.lastEventAt
        let headline = o.status == nil
            ? "\(status), not finished (last record \(TimeText.clock(t.lastEventAt)), \(TimeText.duration(end - t.startedAt)) after the start)"
            : "\(status) after \(TimeText.duration(end - t.startedAt)) at \(TimeText.clock(end))"
        lines.append(style.paint("Outcome: ", .bold) + style.paint(TextWidth.truncate(headline, to: style.width - 9), paint))

        if let v = o.value, o.status == .succeeded {
            lines += field("result", ValueText.render(v), style: style)
        }
        if let e = o.error {
            lines += field("cause", ResultText.error(e), style: style)
            if let seq = o.stoppedAtSeq, let s = t.step(seq) {
                lines += field("at", "step \(s.seq) \(s.name) (\(s.location))", style: style)
            }
        }
        if o.status == nil, let current = t.steps.last(where: { $0.status == .running || $0.status == .waiting }) {
            lines += field("current", "step \(current.seq) \(current.name): " + ResultText.step(current).text, style: style)
        }
        if let f = t.failback { lines += failback(f, t, style: style) }
        if let w = t.currentWeights {
            lines += field(t.failback == nil ? "weights" : "final weights", ResultText.weights(w), style: style)
        }
        return lines
    }

    static func failback(_ f: ExecutionTimeline.Failback, _ t: ExecutionTimeline, style: TerminalStyle) -> [String] {
        let ran = f.steps.isEmpty ? "no compensation step ran" : "\(f.steps.count) compensation step\(f.steps.count == 1 ? "" : "s")"
        let lines = field("fail-back", "\(f.reason.rawValue) at \(TimeText.clock(f.at)): \(ran)" + (f.complete ? "" : ", still running"),
                          style: style)
        guard !f.steps.isEmpty else { return lines }
        var table = TextTable(columns: [
            .init(title: "#", right: true, dropRank: 3),
            .init(title: "STEP", maxWidth: 32, shrinkRank: 2, minWidth: 10),
            .init(title: "DURATION", right: true, dropRank: 2),
            .init(title: "TRIES", right: true, dropRank: 1),
            .init(title: "RESULT", shrinkRank: 1, minWidth: 12),
        ])
        for seq in f.steps {
            guard let s = t.step(seq) else { continue }
            let result = ResultText.step(s)
            table.add([.init(String(s.seq)), .init(s.name), .init(s.duration.map(TimeText.duration) ?? ""),
                       .init(String(s.attempts.count)),
                       .init((s.status == .succeeded ? "ok: " : "") + result.text, s.status == .succeeded ? .green : result.paint)])
        }
        // Indented under its label when there is room; the table fits what is left.
        let indent = style.width - Self.indent.count >= 20 ? Self.indent : ""
        var inner = style
        inner.width = style.width - indent.count
        return lines + table.render(inner).map { indent + $0 }
    }

    static let indent = "    "
    static let label = 17

    /// "  cause:         Name: message", wrapped beside its label (under it when narrow).
    static func field(_ name: String, _ value: String, style: TerminalStyle) -> [String] {
        let head = "  " + TextWidth.pad(name + ":", to: label - 3) + " "
        if style.width >= 60 {
            return TextWidth.wrap(value, to: style.width - label).enumerated().map { i, line in
                (i == 0 ? head : String(repeating: " ", count: label)) + line
            }
        }
        // Narrow: the label on its own line, the value under it.
        let under = style.width >= 20 ? "    " : ""
        return [TextWidth.truncate("  \(name):", to: style.width)]
            + TextWidth.wrap(value, to: style.width - under.count).map { under + $0 }
    }
}
