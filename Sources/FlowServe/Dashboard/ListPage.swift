import FlowEngine

extension Dashboard {
    /// The filters of the list page (`/?status=failed&workflow=canary`); empty means all.
    public struct ListFilter: Sendable, Equatable {
        public var status: String?
        public var workflow: String?

        public init(status: String? = nil, workflow: String? = nil) {
            self.status = status.flatMap { $0.isEmpty ? nil : $0 }
            self.workflow = workflow.flatMap { $0.isEmpty ? nil : $0 }
        }

        /// Status exactly; workflow as a case-insensitive part of the script's path.
        public func matches(_ s: ExecutionSummary) -> Bool {
            if let status, s.status != status { return false }
            if let workflow, !s.workflow.lowercased().contains(workflow.lowercased()) { return false }
            return true
        }
    }

    static let statuses = ["running", "waiting", "paused", "interrupted", "succeeded", "failed", "cancelled", "aborted"]

    /// The page `/`: every execution (newest first) with its status, workflow, start and
    /// duration, each linking to its page; a GET form for the filters. `problems` are the
    /// executions whose journal could not be read (id and why). `now` gives running ones a duration.
    public static func listPage(_ executions: [ExecutionSummary], filter: ListFilter = .init(), problems: [String] = [],
                                now: Millis) -> String {
        let shown = executions.filter(filter.matches).sorted { ($0.started_at, $0.id) > ($1.started_at, $1.id) }
        var body = "<main id=\"executions\">\n<h1>Executions</h1>\n"
        body += filterForm(filter)
        let counted = shown.count == executions.count
            ? "\(shown.count) execution\(shown.count == 1 ? "" : "s")"
            : "\(shown.count) of \(executions.count) executions"
        body += "<p class=\"count\" id=\"count\">\(counted)</p>\n"
        if shown.isEmpty {
            body += "<p class=\"empty\">No executions" + (executions.isEmpty ? " in this home yet." : " match these filters.") + "</p>\n"
        } else {
            body += """
            <table class="list">
            <thead><tr><th scope="col">Execution</th><th scope="col">Status</th><th scope="col">Workflow</th>\
            <th scope="col">Started (UTC)</th><th scope="col">Duration</th><th scope="col">Steps</th></tr></thead>
            <tbody>

            """
            for s in shown { body += row(s, now: now) }
            body += "</tbody>\n</table>\n"
        }
        if !problems.isEmpty {
            body += "<section class=\"problems\"><h2>Unreadable executions</h2><ul>\n"
                + problems.map { "<li>\(HTML.escape($0))</li>\n" }.joined() + "</ul></section>\n"
        }
        body += "</main>"
        return HTML.page(title: "flow: executions", body: body)
    }

    static func row(_ s: ExecutionSummary, now: Millis) -> String {
        let start = DashTime.parse(s.started_at)
        let end = s.finished_at.flatMap(DashTime.parse)
        let duration = start.map { DashTime.duration((end ?? now) - $0) + (end == nil ? " so far" : "") } ?? ""
        let href = "/executions/" + HTML.urlComponent(s.id)
        var status = HTML.status(s.status)
        if s.compensating { status += " <span class=\"note\">failing back</span>" }
        return "<tr data-id=\"\(HTML.escape(s.id))\" data-status=\"\(HTML.escape(s.status))\">"
            + "<td><a href=\"\(HTML.escape(href))\">\(HTML.escape(s.id))</a></td>"
            + "<td>\(status)</td>"
            + "<td>\(HTML.escape(s.workflow))</td>"
            + "<td><time datetime=\"\(HTML.escape(s.started_at))\">\(HTML.escape(start.map(DashTime.dateTime) ?? s.started_at))</time></td>"
            + "<td class=\"num\">\(HTML.escape(duration))</td>"
            + "<td class=\"num\">\(s.steps)</td></tr>\n"
    }

    static func filterForm(_ f: ListFilter) -> String {
        var options = "<option value=\"\"\(f.status == nil ? " selected" : "")>any</option>"
        for s in statuses {
            options += "<option value=\"\(s)\"\(f.status == s ? " selected" : "")>\(s)</option>"
        }
        if let st = f.status, !statuses.contains(st) {
            options += "<option value=\"\(HTML.escape(st))\" selected>\(HTML.escape(st))</option>"
        }
        return """
        <form class="filters" method="get" action="/" role="search">
        <label>Status <select name="status">\(options)</select></label>
        <label>Workflow <input type="search" name="workflow" value="\(HTML.escape(f.workflow ?? ""))" placeholder="canary"></label>
        <button type="submit">Filter</button>\(f == .init() ? "" : " <a href=\"/\">clear</a>")
        </form>

        """
    }
}
