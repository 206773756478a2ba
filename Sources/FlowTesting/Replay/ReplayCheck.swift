import FlowEngine
import FlowWAL
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `flow replay`: a recorded history (exported by `flow history ID --json`) re-run against the
/// current script, as Temporal's WorkflowReplayer does, so that CI catches an edit that would
/// break an execution still running in production before a resume meets it.
///
/// The history is written into a fresh journal in a throwaway home and resumed there in
/// replay-only mode (`RunOptions.replayOnly`): every step is answered from the history, none runs
/// (plugin functions only validate their arguments), and the run stops where the history ends or
/// where the script parts from it. `ReplayReport.judge` turns where it stopped into the verdict.
public enum ReplayCheck {
    /// `registry`: the real one (the composition root's), so that the script's calls are
    /// validated and digested as a resume would do it.
    public static func run(historyJSON: Data, historyPath: String, scriptPath: String, registry: StepRegistry) async -> ReplayReport {
        let history: RecordedHistory
        do {
            history = try RecordedHistory(json: historyJSON, path: historyPath)
        } catch {
            var r = ReplayReport(verdict: .invalid, history: historyPath, script: scriptPath)
            r.problem = "\(error)"
            return r
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: scriptPath, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: scriptPath)
        else {
            var r = ReplayReport(verdict: .invalid, history: historyPath, script: scriptPath)
            r.problem = "workflow file \(scriptPath) does not exist or cannot be read"
            return r
        }
        do {
            let end = try await replay(history, scriptPath: scriptPath, registry: registry)
            return ReplayReport.judge(end, history: history, historyPath: historyPath, scriptPath: scriptPath)
        } catch {
            var r = ReplayReport(verdict: .failed, history: historyPath, script: scriptPath)
            r.problem = "cannot replay \(historyPath): \(error)"
            return r
        }
    }

    /// Runs the script against the history in a throwaway home, removed afterwards.
    static func replay(_ history: RecordedHistory, scriptPath: String, registry: StepRegistry) async throws -> ReplayEnd {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let home = FlowHome(root: root + "/home")
        let id = history.started.id
        var walOptions = WALOptions()
        walOptions.syncPolicy = .none
        let writer = try WALWriter.create(directory: home.journalDirectory(of: id), options: walOptions)
        for entry in history.replayable(script: scriptPath) {
            let (type, payload) = JournalCodec.encode(entry)
            try writer.append(type: type, payload: payload)
        }
        try writer.commit()
        try writer.close()

        var options = RunOptions(home: home)
        options.syncPolicy = .none
        options.allowChangedScript = true
        options.replayOnly = true
        options.registry = registry
        options.logger = Logger(label: "flow.replay")
        do {
            return .outcome(try await ExecutionRunner(.resume(id: id), options: options).run())
        } catch let stop as ReplayOnlyStop {
            return .stop(stop)
        } catch let e as RunError {
            return .error(e)
        }
    }

    private static func temporaryDirectory() throws -> String {
        var tmp = NSTemporaryDirectory()
        while tmp.hasSuffix("/") { tmp.removeLast() }
        var template = Array((tmp + "/flow-replay-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RunError(.internalError, "cannot create a temporary directory in \(tmp): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
