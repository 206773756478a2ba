import FlowEngine

/// `flow show` as text: a header, the steps table, the weights chart, the outcome. Every line
/// fits `style.width` columns.
enum ShowReport {
    static func render(_ t: ExecutionTimeline, summary: ExecutionSummary, style: TerminalStyle) -> [String] {
        var lines = header(t, summary: summary, style: style)
        lines.append("")
        lines.append(style.paint(TextWidth.truncate("Steps", to: style.width), .bold))
        lines += TimelineTable.make(t).render(style)
        lines.append("")
        lines.append(style.paint(TextWidth.truncate("Traffic weights", to: style.width), .bold))
        lines += WeightsChart.render(t, style: style)
        lines.append("")
        lines += OutcomeText.render(t, status: summary.status, style: style)
        return lines
    }

    static func header(_ t: ExecutionTimeline, summary: ExecutionSummary, style: TerminalStyle) -> [String] {
        let retried = t.steps.filter { $0.attempts.count > 1 }.count
        var counts = [String(t.steps.count)]
        if retried > 0 { counts.append("\(retried) retried") }
        let actions = t.events.filter { if case .operatorAction = $0 { true } else { false } }.count
        let resumes = t.events.filter { if case .resumed = $0 { true } else { false } }.count
        if actions > 0 { counts.append("\(actions) operator action\(actions == 1 ? "" : "s")") }
        if resumes > 0 { counts.append("\(resumes) resume\(resumes == 1 ? "" : "s")") }
        var fields: [(String, String)] = [
            ("workflow", t.workflow),
            ("started", "\(WallClock.iso8601(t.startedAt)) on \(t.host) (pid \(t.pid))"),
        ]
        if let end = t.outcome.finishedAt {
            fields.append(("finished", "\(WallClock.iso8601(end)) after \(TimeText.duration(end - t.startedAt))"))
        }
        fields.append(("steps", counts.joined(separator: ", ")))
        if let d = summary.driver { fields.append(("driven by", d)) }
        if let w = summary.journal_warning { fields.append(("warning", w)) }
        let title = TextWidth.truncate("Execution \(t.id): \(summary.status)", to: style.width)
        return [style.paint(title, .bold)] + fields.map { name, value in
            TextWidth.truncate("  " + TextWidth.pad(name, to: 10) + TextWidth.oneLine(value), to: style.width)
        }
    }
}
