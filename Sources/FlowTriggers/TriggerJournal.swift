import FlowWAL
import Foundation

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

    /// How many records since the last checkpoint (or the start) make the journal compact itself.
    public let compactAfter: Int
    /// Records after the last checkpoint.
    public private(set) var recordsSinceCheckpoint: Int
    /// The last compaction this process made, for the watcher's log.
    public private(set) var lastCheckpoint: WALCheckpoint?

    init(directory: String, state: TriggerState, repair: WALRepair?, writer: WALWriter, compactAfter: Int, records: Int) {
        self.directory = directory
        self.state = state
        self.repair = repair
        self.writer = writer
        self.compactAfter = max(compactAfter, 1)
        recordsSinceCheckpoint = records
    }

    deinit { try? writer.close() }

    public static let defaultCompactAfter = 10_000

    /// Opens the journal in `directory`, creating it when there is none yet, and compacts it when
    /// more than `compactAfter` records follow its last checkpoint.
    public static func open(directory: String, sync: SyncPolicy = .always,
                            compactAfter: Int = defaultCompactAfter) throws -> TriggerJournal {
        try open(directory: directory, sync: sync, compactAfter: compactAfter, segmentSize: nil)
    }

    /// `segmentSize`: for tests that need many segments.
    static func open(directory: String, sync: SyncPolicy, compactAfter: Int, segmentSize: Int?) throws -> TriggerJournal {
        var options = WALOptions()
        options.syncPolicy = sync
        if let segmentSize { options.segmentSize = segmentSize }
        // Decoded first, folded after: the fold starts at the last checkpoint, and the records in
        // front of it (left by a compaction that a crash interrupted) may refer to a beginning
        // that is gone.
        var records: [(record: TriggerRecord, place: String)] = []
        var lastSnapshot = 0
        do {
            let opened = try WALWriter.open(directory: directory, options: options) { view in
                do {
                    let record = try TriggerRecordCodec.decode(type: view.type, payload: view.payload)
                    if case .snapshot = record { lastSnapshot = records.count }
                    records.append((record, "\(view.file) at offset \(view.position.offset)"))
                } catch {
                    throw TriggerJournalError("\(view.file) at offset \(view.position.offset): \(error)")
                }
            }
            var state = TriggerState()
            for (record, place) in records[lastSnapshot...] {
                do { try state.apply(record) } catch { throw TriggerJournalError("\(place): \(error)") }
            }
            let journal = TriggerJournal(directory: directory, state: state, repair: opened.repair, writer: opened.writer,
                                         compactAfter: compactAfter, records: records.count - lastSnapshot)
            if journal.recordsSinceCheckpoint > journal.compactAfter { try journal.compact() }
            return journal
        } catch let e as WALError where e.code == .notFound {
            let writer = try WALWriter.create(directory: directory, options: options)
            return TriggerJournal(directory: directory, state: TriggerState(), repair: nil, writer: writer,
                                  compactAfter: compactAfter, records: 0)
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
        recordsSinceCheckpoint += 1
        if recordsSinceCheckpoint >= compactAfter { try compact() }
    }

    /// Writes the state (compacted) as a checkpoint and removes the segments before it: the
    /// journal then holds one record plus what follows, whatever the trigger has seen.
    public func compact(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000),
                        retention: Int64 = TriggerState.defaultRetention) throws {
        let snapshot = state.compacted(now: now, retention: retention)
        let encoded = try TriggerRecordCodec.encode(.snapshot(snapshot))
        lastCheckpoint = try writer.checkpoint(type: encoded.type, payload: encoded.payload)
        state = snapshot
        recordsSinceCheckpoint = 0
    }

    /// The compaction made since the last call, if any (for the watcher's log).
    public func takeCheckpoint() -> WALCheckpoint? {
        defer { lastCheckpoint = nil }
        return lastCheckpoint
    }

    public func close() throws { try writer.close() }
}
