import FlowEngine
import Hummingbird

/// GET /api/executions, /api/executions/{id}, .../history, .../timeline.
enum ExecutionsAPI {
    static func register(on routes: inout RouteTable, lookup: ExecutionLookup) {
        routes.add(.get, "/api/executions") { request, _ in
            let query = request.uri.queryParameters
            // `token` is the middleware's (a browser's way to send it).
            for (key, _) in query where !["status", "workflow", "token"].contains(String(key)) {
                throw APIError.badRequest("unknown query parameter '\(key)': filter with status and workflow")
            }
            let status = query["status"].map(String.init)
            if let status, !ExecutionLookup.statuses.contains(status) {
                throw APIError.badRequest("status must be one of \(ExecutionLookup.statuses.joined(separator: ", ")), got '\(status)'")
            }
            let workflow = query["workflow"].map(String.init)
            if let workflow, workflow.isEmpty { throw APIError.badRequest("workflow must not be empty") }
            let (rows, problems) = lookup.list(status: status, workflow: workflow)
            return JSONBody.response(ListBody(executions: rows, problems: problems))
        }
        routes.add(.get, "/api/executions/{id}") { _, context in
            let id = try lookup.id(context)
            return JSONBody.response(try lookup.summary(id))
        }
        routes.add(.get, "/api/executions/{id}/history") { _, context in
            let id = try lookup.id(context)
            return JSONBody.response(try lookup.read(id) { try HistoryEntry.load(home: lookup.home, id: id) })
        }
        routes.add(.get, "/api/executions/{id}/timeline") { _, context in
            let id = try lookup.id(context)
            let (summary, timeline) = try lookup.read(id) {
                (try ExecutionSummary.load(home: lookup.home, id: id), try ExecutionTimeline.load(home: lookup.home, id: id))
            }
            return JSONBody.response(ExecutionTimelineJSON.document(timeline, summary: summary))
        }
    }

    struct ListBody: Encodable {
        var executions: [ExecutionSummary]
        /// Executions that could not be read (a damaged journal), as "ID: why".
        var problems: [String]
    }
}
