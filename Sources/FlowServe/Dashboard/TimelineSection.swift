import FlowEngine

/// The steps table of an execution page, like the Step Functions console's table view: a row
/// per step, an indented row per failed attempt, rows for operator actions, resumes and the
/// start of fail-back, in time order; then the gates' verdicts.
enum TimelineSection {
    static func render(_ t: ExecutionTimeline) -> String {
        guard !t.rows.isEmpty else { return "<section id=\"timeline\" aria-labelledby=\"h-steps\"><h2 id=\"h-steps\">Steps</h2><p class=\"empty\">No step has started yet.</p></section>\n" }
        var out = """
        <section id="timeline" aria-labelledby="h-steps">
        <h2 id="h-steps">Steps</h2>
        <table class="timeline">
        <thead><tr><th scope="col">#</th><th scope="col">Step</th><th scope="col">Kind</th><th scope="col">Start (UTC)</th>\
        <th scope="col">Duration</th><th scope="col">Tries</th><th scope="col">Result</th></tr></thead>
        <tbody>

        """
        for row in t.rows {
            switch row {
            case .event(let i):
                out += event(t.events[i], held: held(t, pauseAt: i))
            case .step(let i):
                out += step(t.steps[i], stop: t.failback?.reason)
            }
        }
        out += "</tbody>\n</table>\n</section>\n"
        return out
    }

    static func step(_ s: ExecutionTimeline.Step, stop: CompensationReason?) -> String {
        let result = StepResult.of(s, stop: stop)
        let cls = ["step", "step-\(s.status.rawValue)", s.phase == .compensation ? "compensation" : ""].filter { !$0.isEmpty }
        var out = "<tr class=\"\(cls.joined(separator: " "))\" data-seq=\"\(s.seq)\" data-status=\"\(s.status.rawValue)\">"
            + "<td class=\"num\">\(s.seq)</td>"
            + "<th scope=\"row\" title=\"\(HTML.escape(s.location))\">\(HTML.escape(s.name))"
            + (s.phase == .compensation ? " <span class=\"note\">fail-back</span>" : "") + "</th>"
            + "<td>\(s.kind.rawValue)</td>"
            + "<td><time datetime=\"\(WallClock.iso8601(s.startedAt))\">\(StepResultText.clock(s.startedAt))</time></td>"
            + "<td class=\"num\">\(s.duration.map(DashTime.duration) ?? "")</td>"
            + "<td class=\"num\(s.attempts.count > 1 ? " warn" : "")\">\(s.attempts.count)</td>"
            + "<td class=\"result \(result.tone)\" title=\"\(HTML.escape(result.text))\">\(HTML.escape(DashValue.cut(result.text)))</td></tr>\n"
        guard s.attempts.count > 1 else { return out }
        for a in s.attempts where a.status == .failed {
            let retry = a.backoff.map { " (retry in \(DashTime.duration($0)))" } ?? ""
            let text = a.error.map { $0.name + retry + ": " + $0.message } ?? "failed" + retry
            out += "<tr class=\"attempt\"><td></td><td>↳ attempt \(a.attempt)</td><td></td>"
                + "<td>\(StepResultText.clock(a.startedAt))</td><td class=\"num\">\(a.duration.map(DashTime.duration) ?? "")</td><td></td>"
                + "<td class=\"result bad\" title=\"\(HTML.escape(text))\">\(HTML.escape(DashValue.cut(text)))</td></tr>\n"
        }
        return out
    }

    /// How long a pause held: until the next unpause or promotion.
    static func held(_ t: ExecutionTimeline, pauseAt i: Int) -> Millis? {
        guard case .operatorAction(let pause) = t.events[i], pause.action == .pause else { return nil }
        for e in t.events[(i + 1)...] {
            if case .operatorAction(let a) = e, a.action != .pause { return a.at - pause.at }
        }
        return nil
    }

    static func event(_ e: ExecutionTimeline.Event, held: Millis?) -> String {
        let name: String, kind: String, text: String, tone: String
        switch e {
        case .operatorAction(let a):
            name = a.action.rawValue + (a.force ? " (forced)" : "")
            kind = "operator"
            text = "by \(a.by)" + (a.reason.map { ": \($0)" } ?? "")
            tone = ""
        case .resumed(let r):
            name = "resumed"
            kind = "resume"
            text = "host \(r.host) pid \(r.pid)" + (r.scriptChanged ? " (script changed)" : "")
            tone = ""
        case .compensating(let c):
            name = "fail-back"
            kind = "failback"
            text = c.reason.rawValue + (ExecutionTimeline.stoppedAt(c).map { " at step \($0)" } ?? "") + ": \(c.error.name): \(c.error.message)"
            tone = c.reason == .failed ? "bad" : "warn"
        }
        return "<tr class=\"event event-\(kind)\"><td></td><th scope=\"row\">\(HTML.escape(name))</th><td>\(kind)</td>"
            + "<td><time datetime=\"\(WallClock.iso8601(e.at))\">\(StepResultText.clock(e.at))</time></td>"
            + "<td class=\"num\">\(held.map(DashTime.duration) ?? "")</td><td></td>"
            + "<td class=\"result \(tone)\">\(HTML.escape(DashValue.cut(text)))</td></tr>\n"
    }

    /// The gate steps (a verdict as result, or a `GateFailed` error) with their verdicts.
    static func gates(_ t: ExecutionTimeline) -> String {
        let gates = t.steps.filter { StepResult.verdict($0.result) != nil || $0.error?.name == "GateFailed" }
        guard !gates.isEmpty else { return "" }
        var out = """
        <section id="gates" aria-labelledby="h-gates">
        <h2 id="h-gates">Gates</h2>
        <table class="gates">
        <thead><tr><th scope="col">#</th><th scope="col">Gate</th><th scope="col">Verdict</th><th scope="col">Reason</th>\
        <th scope="col">Value</th><th scope="col">Duration</th></tr></thead>
        <tbody>

        """
        for s in gates {
            let v = StepResult.verdict(s.result)
            let verdict = v?.status ?? (s.status == .failed ? "fail" : s.status.rawValue)
            let reason = v?.reason ?? s.error?.message ?? ""
            let value = v.map { $0.value.isNil ? "" : DashValue.render($0.value) } ?? ""
            out += "<tr data-seq=\"\(s.seq)\"><td class=\"num\">\(s.seq)</td><th scope=\"row\">\(HTML.escape(s.name))</th>"
                + "<td><span class=\"verdict verdict-\(HTML.escape(verdict))\">\(HTML.escape(verdict))</span></td>"
                + "<td>\(HTML.escape(DashValue.cut(reason)))</td><td>\(HTML.escape(DashValue.cut(value, 80)))</td>"
                + "<td class=\"num\">\(s.duration.map(DashTime.duration) ?? "")</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }
}
