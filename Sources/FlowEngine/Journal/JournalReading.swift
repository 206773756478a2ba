import FlowWAL

/// Decoding a WAL's records into a folded journal, with every problem reported as a
/// `RunError(.journal)` naming the segment file and byte offset.
public enum JournalReading {
    public static func fold(_ records: [WALRecord]) throws -> JournalState {
        var state = JournalState()
        state.reserve(steps: records.count / 2)
        var recent = RecentStrings()
        for r in records {
            do {
                try r.payload.withUnsafeBytes { payload in
                    try state.apply(try JournalCodec.decode(type: r.type, payload: payload, recent: &recent))
                }
            } catch {
                throw RunError(.journal, "\(r.file) at offset \(r.position.offset): \(error)")
            }
        }
        return state
    }

    /// A visitor that folds records as a scan meets them, so no copy of the log is kept.
    final class Folder {
        /// One stored property, changed by one call per record: each access to a class's stored
        /// property is checked for exclusivity at run time, and three of them per record showed in
        /// profiles.
        private var fold = Fold()

        var state: JournalState { fold.state }

        func visit(_ r: WALRecordView) throws {
            try fold.visit(r)
        }
    }

    struct Fold {
        var state = JournalState()
        private var recent = RecentStrings()
        private var sizing = StepsSizing()

        mutating func visit(_ r: WALRecordView) throws {
            do {
                try state.apply(try JournalCodec.decode(type: r.type, payload: r.payload, recent: &recent))
            } catch {
                throw RunError(.journal, "\(r.file) at offset \(r.position.offset): \(error)")
            }
            if let steps = sizing.estimate(steps: state.steps.count, record: r) { state.reserve(steps: steps) }
        }
    }

    /// For status, list and history, which must not repair or lock anything (but a dead process's
    /// shared-log commits are put back first, once: SharedLogCatchUp).
    public static func read(home: FlowHome, id: String) throws -> (state: JournalState, tornTail: WALRepair?) {
        SharedLogCatchUp.once(home)
        let folder = Folder()
        let torn: WALRepair?
        do {
            torn = try WALReader.read(directory: home.journalDirectory(of: id), visit: folder.visit)
        } catch let e as WALError {
            throw RunError(e.code == .notFound ? .usage : .journal, e.message)
        }
        try refuseLostOnlySegment(torn, hasRecords: folder.state.started != nil)
        return (folder.state, torn)
    }

    /// The execution's start record, reading the journal no further than it; nil when the journal
    /// holds no record. For callers that need only the workflow's path or whether the execution
    /// started at all: folding a million-step journal to learn that takes half a second, and
    /// `flow resume` did it twice before the fold it needs (`checkInterruptedCreation` and, for the
    /// gate search path, `ExecutionSummary.load`).
    ///
    /// Damage at or before the start record throws what `read` throws; damage after it is not
    /// seen here (a resume meets it in `WALWriter.open`, which refuses to repair it).
    public static func started(home: FlowHome, id: String) throws -> ExecutionStarted? {
        struct Enough: Error {}
        SharedLogCatchUp.once(home)
        var fold = Fold()
        let torn: WALRepair?
        do {
            torn = try WALReader.read(directory: home.journalDirectory(of: id)) { r in
                try fold.visit(r)
                throw Enough()
            }
        } catch is Enough {
            return fold.state.started
        } catch let e as WALError {
            throw RunError(e.code == .notFound ? .usage : .journal, e.message)
        }
        try refuseLostOnlySegment(torn, hasRecords: false)
        return nil
    }

    /// A torn tail that removes the journal's only segment (a header cut short, or zeros) would
    /// leave no record at all: the execution would read as one that never started, and be removed
    /// and run again. A creation that dies leaves at least the whole header, synced before the
    /// start record is written, so this is damage that may have taken recorded steps with it.
    static func refuseLostOnlySegment(_ torn: WALRepair?, hasRecords: Bool) throws {
        guard let torn, torn.offset == 0, !hasRecords else { return }
        throw RunError(.journal, """
            \(torn.file): corrupt at byte offset 0: it reads as an \(torn.reason), but it is the journal's only \
            segment, so the execution's start record and every step recorded after it would go with it. It is not repaired \
            automatically: keep a copy of the execution's folder, then restore the journal from a backup; only if \
            no step of it ever ran, remove the folder and start the execution again
            """)
    }
}
