import FlowEngine

/// How the execution ended (its result, or the cause of a failure, cancel or abort) and what
/// fail-back did: its steps, their results, the weights it left.
enum OutcomeSection {
    static func render(_ t: ExecutionTimeline, status: String) -> String {
        let o = t.outcome
        var fields: [(String, String)] = []
        let end = o.finishedAt ?? t.lastEventAt
        let headline = o.status == nil
            ? "\(status), not finished (last record \(StepResultText.clock(t.lastEventAt)))"
            : "\(status) after \(DashTime.duration(end - t.startedAt)) at \(StepResultText.clock(end))"
        fields.append(("Outcome", HTML.status(o.status?.rawValue ?? status) + " " + HTML.escape(headline)))
        if let v = o.value, o.status == .succeeded {
            fields.append(("Result", "<code>" + HTML.escape(DashValue.cut(DashValue.render(v), 400)) + "</code>"))
        }
        if let e = o.error {
            fields.append(("Cause", "<span class=\"bad\">" + HTML.escape("\(e.name): \(e.message)") + "</span>"))
            if let seq = o.stoppedAtSeq, let s = t.step(seq) {
                fields.append(("At", HTML.escape("step \(s.seq) \(s.name) (\(s.location))")))
            }
        }
        if o.status == nil, let current = t.steps.last(where: { $0.status == .running || $0.status == .waiting }) {
            fields.append(("Current", HTML.escape("step \(current.seq) \(current.name): " + StepResult.of(current, stop: nil).text)))
        }
        if let f = t.failback {
            let ran = f.steps.isEmpty ? "no compensation step ran" : "\(f.steps.count) compensation step\(f.steps.count == 1 ? "" : "s")"
            fields.append(("Fail-back", HTML.escape("\(f.reason.rawValue) at \(StepResultText.clock(f.at)): \(ran)" + (f.complete ? "" : ", still running"))))
        }
        if let w = t.currentWeights {
            fields.append((t.failback == nil ? "Weights" : "Final weights", HTML.escape(DashValue.weights(w))))
        }
        var out = "<section id=\"outcome\" aria-labelledby=\"h-outcome\">\n<h2 id=\"h-outcome\">Outcome</h2>\n<dl class=\"fields\">\n"
            + fields.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>\n" }.joined() + "</dl>\n"
        if let f = t.failback, !f.steps.isEmpty {
            out += "<table class=\"failback\"><caption>Fail-back steps</caption>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Step</th>"
                + "<th scope=\"col\">Duration</th><th scope=\"col\">Tries</th><th scope=\"col\">Result</th></tr></thead>\n<tbody>\n"
            for seq in f.steps {
                guard let s = t.step(seq) else { continue }
                let r = StepResult.of(s, stop: f.reason)
                out += "<tr><td class=\"num\">\(s.seq)</td><th scope=\"row\">\(HTML.escape(s.name))</th>"
                    + "<td class=\"num\">\(s.duration.map(DashTime.duration) ?? "")</td><td class=\"num\">\(s.attempts.count)</td>"
                    + "<td class=\"result \(s.status == .succeeded ? "ok" : r.tone)\">\(HTML.escape((s.status == .succeeded ? "ok: " : "") + DashValue.cut(r.text)))</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }
        return out + "</section>\n"
    }
}
