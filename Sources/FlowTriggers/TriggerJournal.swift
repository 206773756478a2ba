import FlowWAL

/// A trigger's journal: a FlowWAL log whose records fold into `TriggerState`. Opening scans the
/// log (repairing a torn tail, keeping the cut bytes in a `.broken` copy) and folds each record in
/// place; `record` appends, commits under the sync policy and only then applies, so the state in
/// memory never runs ahead of the disk.
///
/// Not Sendable, like WALWriter: one owner (the watcher's actor), which holds the trigger's lock.
public final class TriggerJournal {
    public let directory: String
    public private(set) var state: TriggerState
    /// The torn tail cut off when the journal was opened, if there was one.
    public let repair: WALRepair?
    let writer: WALWriter

    init(directory: String, state: TriggerState, repair: WALRepair?, writer: WALWriter) {
        self.directory = directory
        self.state = state
        self.repair = repair
        self.writer = writer
    }

    deinit { try? writer.close() }

    /// Opens the journal in `directory`, creating it when there is none yet.
    public static func open(directory: String, sync: SyncPolicy = .always) throws -> TriggerJournal {
        var options = WALOptions()
        options.syncPolicy = sync
        var state = TriggerState()
        do {
            let opened = try WALWriter.open(directory: directory, options: options) { view in
                do {
                    try state.apply(try TriggerRecordCodec.decode(type: view.type, payload: view.payload))
                } catch {
                    throw TriggerJournalError("\(view.file) at offset \(view.position.offset): \(error)")
                }
            }
            return TriggerJournal(directory: directory, state: state, repair: opened.repair, writer: opened.writer)
        } catch let e as WALError where e.code == .notFound {
            let writer = try WALWriter.create(directory: directory, options: options)
            return TriggerJournal(directory: directory, state: TriggerState(), repair: nil, writer: writer)
        }
    }

    /// Appends `record`, makes it durable (per the sync policy) and folds it in.
    public func record(_ record: TriggerRecord) throws {
        // Fold a copy first: a record the state refuses is never written.
        var next = state
        try next.apply(record)
        let encoded = try TriggerRecordCodec.encode(record)
        try writer.append(type: encoded.type, payload: encoded.payload)
        try writer.commit()
        state = next
    }

    public func close() throws { try writer.close() }
}
