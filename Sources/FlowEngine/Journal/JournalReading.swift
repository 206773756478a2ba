import FlowWAL

/// Decoding a WAL's records into a folded journal, with every problem reported as a
/// `RunError(.journal)` naming the segment file and byte offset.
public enum JournalReading {
    public static func fold(_ records: [WALRecord]) throws -> JournalState {
        var state = JournalState()
        state.reserve(steps: records.count / 2)
        for r in records {
            do {
                try state.apply(try JournalCodec.decode(type: r.type, payload: r.payload))
            } catch {
                throw RunError(.journal, "\(r.file) at offset \(r.position.offset): \(error)")
            }
        }
        return state
    }

    /// A visitor that folds records as a scan meets them, so no copy of the log is kept.
    final class Folder {
        var state = JournalState()
        func visit(_ r: WALRecordView) throws {
            do {
                try state.apply(try JournalCodec.decode(type: r.type, payload: r.payload))
            } catch {
                throw RunError(.journal, "\(r.file) at offset \(r.position.offset): \(error)")
            }
        }
    }

    /// Read-only: for status, list and history, which must not repair or lock anything.
    public static func read(home: FlowHome, id: String) throws -> (state: JournalState, tornTail: WALRepair?) {
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
