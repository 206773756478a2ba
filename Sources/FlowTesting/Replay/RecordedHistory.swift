import FlowEngine
import FlowLua
import Foundation

/// A history exported by `flow history ID --json`, imported and folded: what the replay check
/// compares the script with.
struct RecordedHistory {
    let entries: [JournalEntry]
    let state: JournalState
    let started: ExecutionStarted

    /// Throws `HistoryImportError` naming the file, the entry and the field.
    init(json: Data, path: String) throws {
        entries = try HistoryImport.entries(json: json, path: path)
        state = try JournalState(entries: entries)  // the import has checked the order
        guard let started = state.started else {
            throw HistoryImportError(path: path, problem: "has no start record")
        }
        self.started = started
    }

    var finished: ExecutionFinished? { state.finished }
    var compensating: Compensating? { state.compensating }
    var steps: [StepRecord] { state.steps }

    /// The body's steps: those before compensation's, or all of them.
    var bodySteps: Int { compensating.map { $0.nextSeq - 1 } ?? steps.count }

    /// "running", or the final status.
    var status: String { finished?.status.rawValue ?? "running" }

    func step(_ seq: Int) -> StepRecord? { state.step(seq) }

    /// Whether step `seq` belongs to the `on_failure` handlers.
    func inCompensation(_ seq: Int) -> Bool { compensating.map { seq >= $0.nextSeq } ?? false }

    /// The entries a replay-only run gets: the final record left out (the runner would take the
    /// execution for done and replay nothing; the check compares the end itself), and the start
    /// record pointing at the script under check.
    func replayable(script: String) -> [JournalEntry] {
        var out = entries
        if finished != nil, let last = out.lastIndex(where: { if case .finished = $0 { true } else { false } }) {
            out.remove(at: last)
        }
        if case .started(var s) = out.first {
            s.workflow = script
            out[0] = .started(s)
        }
        return out
    }
}
