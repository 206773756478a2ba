import FlowEngine
import FlowLua
import Hummingbird
import Logging

/// POST /api/executions/{id}/promote|abort|pause|unpause|signal: each posts to the execution's
/// inbox the same message the CLI posts. A live process takes it within a second and journals it
/// with who and why; with no process driving the execution, it waits there for the next resume.
enum ActionsAPI {
    struct Reason: Decodable { var reason: String? }
    struct Promote: Decodable { var full: Bool?; var force: Bool?; var reason: String? }
    struct Signal: Decodable { var name: String; var data: LuaValue? }

    static func register(on routes: inout RouteTable, lookup: ExecutionLookup, config: ServeConfiguration, logger: Logger) {
        let limit = config.maxBodyBytes
        @Sendable func post(_ id: String, _ message: InboxMessage, action: String) throws -> Response {
            let summary = try lookup.summary(id)
            if ExecutionLookup.finished.contains(summary.status) {
                throw APIError(.conflict, "execution finished", "execution '\(id)' already finished (\(summary.status)): \(action) does not apply")
            }
            if let reason = message.reason, reason.count > 1000 { throw APIError.badRequest("'reason' is longer than 1000 characters") }
            do {
                try Inbox(directory: lookup.home.inboxDirectory(of: id)).post(message)
            } catch {
                throw APIError(.internalServerError, "cannot deliver", "cannot post the \(action) request to the inbox of '\(id)': \(error)")
            }
            logger.info("operator request", metadata: ["id": "\(id)", "action": "\(action)", "from": "\(message.from)"])
            let note = summary.driver.map { "the process driving \(id) (\($0)) takes it within a second" }
                ?? "no process drives \(id): the request waits in its inbox and is applied when the execution resumes (flow resume \(id))"
            return JSONBody.response(Accepted(id: id, requested: action, driver: summary.driver, applied: summary.driver != nil, note: note),
                                     status: .accepted)
        }
        @Sendable func message(_ kind: InboxMessage.Kind, name: String? = nil, data: LuaValue? = nil, reason: String?) -> InboxMessage {
            InboxMessage(kind: kind, name: name, data: data, from: config.requester, reason: reason, at: WallClock.now())
        }
        for kind in [InboxMessage.Kind.abort, .pause, .unpause] {
            routes.add(.post, "/api/executions/{id}/\(kind.rawValue)") { request, context in
                let id = try lookup.id(context)
                let body = try await ActionBody.read(Reason.self, request, limit: limit, allowed: ["reason"])
                return try post(id, message(kind, reason: body.reason), action: kind.rawValue)
            }
        }
        routes.add(.post, "/api/executions/{id}/promote") { request, context in
            let id = try lookup.id(context)
            let body = try await ActionBody.read(Promote.self, request, limit: limit, allowed: ["full", "force", "reason"])
            let full = body.full ?? false, force = body.force ?? false
            if force && !full { throw APIError.badRequest("'force' only applies with 'full': true") }
            let name = full ? OperatorAction.Action.promoteFull.rawValue : OperatorAction.Action.promote.rawValue
            return try post(id, message(.promote, name: name, data: .table(["force": .bool(force)]), reason: body.reason), action: name)
        }
        routes.add(.post, "/api/executions/{id}/signal") { request, context in
            let id = try lookup.id(context)
            let body = try await ActionBody.read(Signal.self, request, limit: limit, allowed: ["name", "data"])
            guard !body.name.isEmpty, body.name.count <= 200 else { throw APIError.badRequest("'name' must be 1 to 200 characters") }
            return try post(id, message(.signal, name: body.name, data: body.data, reason: nil), action: "signal")
        }
    }

    struct Accepted: Encodable {
        var id: String
        var requested: String
        var driver: String?
        /// true: a live process takes it now; false: it waits in the inbox for the next resume.
        var applied: Bool
        var note: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(requested, forKey: .requested)
            try c.encode(driver, forKey: .driver)
            try c.encode(applied, forKey: .applied)
            try c.encode(note, forKey: .note)
        }
        enum CodingKeys: String, CodingKey { case id, requested, driver, applied, note }
    }
}
