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
        return (folder.state, torn)
    }
}
