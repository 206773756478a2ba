import FlowEngine

extension Dashboard {
    /// The page `/executions/{id}`: the live part (`fragment`) and the operator buttons, which
    /// dashboard.js shows and wires (without JavaScript the page is a complete, static report).
    public static func executionPage(_ timeline: ExecutionTimeline, summary: ExecutionSummary, now: Millis) -> String {
        let id = HTML.escape(summary.id)
        let body = """
        <main id="execution" data-id="\(id)" data-rendered-status="\(HTML.escape(summary.status))">
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Executions</a> › <span>\(id)</span></nav>
        <h1>Execution <code>\(id)</code></h1>
        <div id="live" aria-live="polite">
        \(fragment(timeline, summary: summary, now: now))</div>
        \(actions(summary))
        </main>
        """
        return HTML.page(title: "flow: \(summary.id) (\(summary.status))", body: body)
    }

    /// The sections that change while the execution runs (status, steps, gates, weights chart,
    /// outcome), served alone at `/executions/{id}/fragment` for dashboard.js to swap in.
    /// `data-final` says the execution has finished (the script then stops listening).
    public static func fragment(_ t: ExecutionTimeline, summary: ExecutionSummary, now: Millis) -> String {
        let final = t.outcome.status != nil
        return "<div id=\"state\" data-status=\"\(HTML.escape(summary.status))\" data-final=\"\(final)\" data-steps=\"\(t.steps.count)\">\n"
            + overview(t, summary: summary, now: now)
            + TimelineSection.render(t)
            + TimelineSection.gates(t)
            + WeightsChart.render(t)
            + OutcomeSection.render(t, status: summary.status)
            + "</div>\n"
    }

    static func overview(_ t: ExecutionTimeline, summary s: ExecutionSummary, now: Millis) -> String {
        let end = t.outcome.finishedAt
        var fields: [(String, String)] = [
            ("Status", HTML.status(s.status) + (s.compensating ? " <span class=\"note\">failing back</span>" : "")),
            ("Workflow", HTML.escape(s.workflow)),
            ("Started", "<time datetime=\"\(WallClock.iso8601(t.startedAt))\">\(DashTime.dateTime(t.startedAt))</time> UTC on \(HTML.escape(t.host)) (pid \(t.pid))"),
        ]
        if let end {
            fields.append(("Finished", "<time datetime=\"\(WallClock.iso8601(end))\">\(DashTime.dateTime(end))</time> UTC"))
        }
        fields.append(("Duration", DashTime.duration((end ?? max(now, t.lastEventAt)) - t.startedAt) + (end == nil ? " so far" : "")))
        let retried = t.steps.filter { $0.attempts.count > 1 }.count
        fields.append(("Steps", "\(t.steps.count)" + (retried > 0 ? " (\(retried) retried)" : "")))
        if let c = s.current_step {
            fields.append(("Current step", HTML.escape("#\(c.seq) \(c.kind) \(c.name), attempt \(c.attempt) at \(c.location)"
                + (c.waiting_until.map { ", until \($0)" } ?? ""))))
        }
        if let w = t.currentWeights { fields.append(("Weights", HTML.escape(DashValue.weights(w)))) }
        if let a = s.last_operator_action { fields.append(("Last operator action", HTML.escape(a))) }
        if let d = s.driver { fields.append(("Driven by", HTML.escape(d))) }
        if let w = s.journal_warning { fields.append(("Warning", "<span class=\"bad\">\(HTML.escape(w))</span>")) }
        return "<section id=\"overview\" aria-label=\"Overview\"><dl class=\"fields\">\n"
            + fields.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>\n" }.joined()
            + "</dl></section>\n"
    }

    /// The operator buttons: hidden until dashboard.js shows them (they need it to POST JSON),
    /// and only while the execution has not finished.
    static func actions(_ s: ExecutionSummary) -> String {
        let done = ["succeeded", "failed", "cancelled", "aborted"].contains(s.status)
        let buttons: [(String, String, String)] = [
            ("promote", "Promote", "Promote: go on past the current pause or inconclusive gate?"),
            ("promote_full", "Promote full", "Promote full: skip the remaining steps and shift all traffic to green?"),
            ("pause", "Pause", "Pause before the next step?"),
            ("unpause", "Unpause", "Unpause and go on?"),
            ("abort", "Abort", "Abort: stop now and fail back to the original weights?"),
        ]
        return "<section id=\"actions\" aria-labelledby=\"h-actions\" hidden data-done=\"\(done)\">\n<h2 id=\"h-actions\">Operator actions</h2>\n"
            + "<div class=\"buttons\">"
            + buttons.map { action, label, question in
                "<button type=\"button\" class=\"action action-\(action)\" data-action=\"\(action)\" data-confirm=\"\(HTML.escape(question))\">\(label)</button>"
            }.joined(separator: " ")
            + "</div>\n<p id=\"action-result\" role=\"status\"></p>\n</section>\n"
    }

    /// A page for an unknown id or an unreadable journal.
    public static func errorPage(title: String, message: String) -> String {
        HTML.page(title: "flow: \(title)", body: """
            <main id="error"><nav class="crumbs" aria-label="Breadcrumb"><a href="/">Executions</a></nav>
            <h1>\(HTML.escape(title))</h1>
            <p class="bad">\(HTML.escape(message))</p></main>
            """)
    }
}
