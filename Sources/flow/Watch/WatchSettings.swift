import FlowEngine
import FlowEvents
import FlowLua
import FlowTriggers
import FlowWAL
import Foundation

/// Everything `flow watch` needs, checked before anything is locked or listened on: a bad
/// pattern, key, workflow path or parameter is a usage error (exit 2) that touches nothing.
struct WatchSettings: Sendable {
    let home: FlowHome
    let layout: TriggerLayout
    /// Absolute, so the executions' journals name a script a resume finds from any directory.
    let workflow: String
    let sourceSpec: String
    let patternText: String
    let pattern: EventPattern
    let key: KeyExpression
    let policy: TriggerPolicy
    /// The parameters every execution gets, besides `event`.
    let params: [String: LuaValue]
    let drive: DriveOptions
    let wait: Bool

    init(_ c: WatchCommand) throws {
        home = c.home.flowHome
        drive = c.drive
        wait = !c.noWait
        policy = c.policy
        sourceSpec = c.source
        key = try c.key.map { try KeyExpression($0) } ?? .default
        workflow = try Self.absoluteWorkflow(c.workflow)
        guard let text = FileManager.default.contents(atPath: c.pattern).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw RunError(.usage, "--pattern: cannot read \(c.pattern)")
        }
        patternText = text
        do {
            pattern = try EventPattern(text)
        } catch {
            throw RunError(.usage, "--pattern \(c.pattern): \(error)")
        }
        params = try ParameterInput.parse(pairs: c.params, file: c.paramsFile)
        if params["event"] != nil {
            throw RunError(.usage, "--param event: the watcher passes the triggering event as `event`; choose another name")
        }
        let name = c.name ?? TriggerLayout.defaultName(workflowPath: workflow, source: c.source)
        layout = TriggerLayout(home: home.root, name: name)
    }

    static func absoluteWorkflow(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw RunError(.usage, "--run: workflow file \(path) does not exist")
        }
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The trigger's journal is synced like the executions' (`--sync`), except that `batch`
    /// syncs every decision: a decision must be durable before its event is acknowledged.
    var journalSync: SyncPolicy { drive.sync == "none" ? .none : .always }

    /// An execution's parameters: the watcher's, plus the event as a table.
    func parameters(event body: String) throws -> [String: LuaValue] {
        var p = params
        p["event"] = try JSONDecoder().decode(LuaValue.self, from: Data(body.utf8))
        return p
    }
}
