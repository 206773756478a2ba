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
        let file = try c.triggerFile.map { try TriggerFile.load(path: $0) }
        home = c.home.flowHome
        drive = c.drive
        wait = !c.noWait
        policy = c.policy ?? file?.policy ?? .reject
        guard let source = c.source ?? file?.source else {
            throw RunError(.usage, "\(c.triggerFile ?? "flow watch"): no source: give source = \"...\" in flow.trigger{...} or --source")
        }
        sourceSpec = source
        key = try (c.key ?? file?.key).map { try KeyExpression($0) } ?? .default
        if let run = c.workflow {
            workflow = try Self.absoluteWorkflow(run, option: "--run")
        } else if let run = file?.workflow {
            workflow = try Self.absoluteWorkflow(run, option: "\(c.triggerFile ?? ""): run")
        } else {
            throw RunError(.usage, "\(c.triggerFile ?? "flow watch"): no workflow: give run = \"....lua\" in flow.trigger{...} or --run")
        }
        let patternSource: (text: String, origin: String)
        if let path = c.pattern {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RunError(.usage, "--pattern: cannot read \(path)")
            }
            patternSource = (String(decoding: data, as: UTF8.self), "--pattern \(path)")
        } else if let p = file?.pattern {
            patternSource = p
        } else {
            throw RunError(.usage, "\(c.triggerFile ?? "flow watch"): no pattern: give pattern = {...} in flow.trigger{...} or --pattern")
        }
        patternText = patternSource.text
        do {
            pattern = try EventPattern(patternSource.text)
        } catch {
            throw RunError(.usage, "\(patternSource.origin): \(error)")
        }
        // The file's parameters, then --params, then --param: the later, the more specific.
        params = (file?.params ?? [:]).merging(try ParameterInput.parse(pairs: [], file: c.paramsFile)) { $1 }
            .merging(try ParameterInput.parse(pairs: c.params, file: nil)) { $1 }
        if params["event"] != nil {
            throw RunError(.usage, "parameter event: the watcher passes the triggering event as `event`; choose another name")
        }
        let name = c.name ?? file?.name ?? TriggerLayout.defaultName(workflowPath: workflow, source: source)
        layout = TriggerLayout(home: home.root, name: name)
    }

    static func absoluteWorkflow(_ path: String, option: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw RunError(.usage, "\(option): workflow file \(path) does not exist")
        }
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Records after which the journal folds itself into a checkpoint (docs/TRIGGERS.md);
    /// FLOW_TRIGGER_COMPACT_AFTER changes it, for tests and for very busy triggers.
    var compactAfter: Int {
        ProcessInfo.processInfo.environment["FLOW_TRIGGER_COMPACT_AFTER"].flatMap { Int($0) }.map { max($0, 2) }
            ?? TriggerJournal.defaultCompactAfter
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
