import FlowEngine
import Hummingbird

/// Reading executions for the API: an id from the path, checked, and its summary, with every
/// failure turned into the API's error (bad id 400, unknown 404, damaged journal 500).
struct ExecutionLookup: Sendable {
    let home: FlowHome

    static let statuses = ["running", "waiting", "paused", "interrupted", "succeeded", "failed", "cancelled", "aborted"]
    static let finished: Set<String> = ["succeeded", "failed", "cancelled", "aborted"]

    func id(_ context: some RequestContext) throws -> String {
        let id = context.parameters.get("id") ?? ""
        do { try FlowHome.validate(id: id) } catch { throw APIError.badRequest("\(error)") }
        guard home.exists(id) else { throw APIError.notFound("no execution '\(id)' in this server's home") }
        return id
    }

    func summary(_ id: String) throws -> ExecutionSummary {
        try read(id) { try ExecutionSummary.load(home: home, id: id) }
    }

    func read<T>(_ id: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as RunError {
            switch e.code {
            case .usage: throw APIError.notFound(e.message)
            case .journal: throw APIError(.internalServerError, "journal unreadable", e.message)
            default: throw APIError(.internalServerError, "internal error", e.message)
            }
        } catch {
            throw APIError(.internalServerError, "internal error", "cannot read execution '\(id)': \(error)")
        }
    }

    /// Every execution of the home, filtered; those that cannot be read are reported apart.
    func list(status: String?, workflow: String?) -> (rows: [ExecutionSummary], problems: [String]) {
        let (all, problems) = ExecutionSummary.list(home: home)
        let rows = all.filter { s in
            (status.map { s.status == $0 } ?? true) && (workflow.map { Self.matches(workflow: s.workflow, filter: $0) } ?? true)
        }
        return (rows, problems)
    }

    /// `canary`, `canary.lua` and `workflows/canary.lua` all match `workflows/canary.lua`.
    static func matches(workflow: String, filter: String) -> Bool {
        if workflow == filter { return true }
        let base = workflow.split(separator: "/").last.map(String.init) ?? workflow
        return base == filter || (base.hasSuffix(".lua") && String(base.dropLast(4)) == filter)
    }
}
