import FlowWAL
import Foundation

extension FlowHome {
    /// Whether `id` is the remains of a creation that died before its start record: a journal
    /// folder without a segment, or with segments holding no record, and nobody holding its lock.
    /// Nothing of the workflow ran (the start record precedes every step), so the folder can be
    /// removed and the execution created afresh under the same id. A journal that cannot be read
    /// for another reason (damage) is never taken for one.
    public func isInterruptedCreation(_ id: String) -> Bool {
        (try? checkInterruptedCreation(id)) ?? false
    }

    /// The same, but a journal that cannot be read throws its `RunError(.journal)`, so that
    /// `flow resume` refuses it before opening (and repairing) anything.
    ///
    /// Reads no further than the start record (`JournalReading.started`), which refuses damage at
    /// or before it and a lost only segment as a whole fold would: folding a million-step journal
    /// here only to learn whether it began cost `flow resume` a second fold. Damage after the start
    /// record is met by `WALWriter.open`, which refuses it with the same `RunError(.journal)`
    /// before repairing anything.
    public func checkInterruptedCreation(_ id: String) throws -> Bool {
        guard exists(id), FileLock.holder(path: lockPath(of: id)) == nil else { return false }
        do {
            return try JournalReading.started(home: self, id: id) == nil
        } catch let e as RunError where e.code == .usage {
            return true  // no segment file yet
        }
    }
}
