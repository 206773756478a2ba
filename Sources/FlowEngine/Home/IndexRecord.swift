import FlowLua

/// Which state of an execution an index entry describes. A finished state never changes
/// while its version stands: only a redrive (a new `redrives`) or a new execution under the
/// same id (a new `seed` and start) replaces it.
struct IndexVersion: Equatable, Comparable {
    var startedMillis: Millis
    var seed: Int64
    var redrives: Int

    static func < (a: IndexVersion, b: IndexVersion) -> Bool {
        (a.startedMillis, a.redrives) < (b.startedMillis, b.redrives)
    }
}

/// The summary of one finished execution, as `flow list` prints it.
struct IndexEntry {
    var id: String
    var version: IndexVersion
    /// The boot the record was written in: writes of an earlier boot may have been lost with
    /// the page cache (the index is never synced), invalidations among them.
    var boot: UInt64
    var summary: ExecutionSummary
}

/// Written before a finished execution's state changes: every entry it matches is stale.
struct IndexInvalidation {
    var id: String
    /// Entries of this incarnation with `redrives` up to `maxRedrives` (-1: none) are stale.
    var seed: Int64
    var maxRedrives: Int
    /// Entries of executions started before this time are stale (0: none): a new execution
    /// is about to be created under the id, so any earlier one was deleted.
    var startedBefore: Millis
    /// When it was written: compaction keeps it for an hour, far longer than any reader that
    /// could still append an entry it must kill.
    var writtenAt: Millis

    func kills(_ v: IndexVersion) -> Bool {
        (v.seed == seed && v.redrives <= maxRedrives) || v.startedMillis < startedBefore
    }
}

/// The payloads of `HOME/index` records (framing: `IndexFile`). The first byte is the kind,
/// which also carries the format: a reader skips kinds it does not know.
enum IndexCodec {
    static let entryKind: UInt8 = 1
    static let invalidationKind: UInt8 = 2

    static func encode(_ e: IndexEntry) -> [UInt8] {
        var w = ByteWriter(capacity: 256)
        w.byte(entryKind)
        w.string(e.id)
        w.fixed64(e.boot)
        writeVersion(e.version, to: &w)
        let s = e.summary
        w.string(s.workflow)
        w.string(s.status)
        w.string(s.started_at)
        w.optional(s.finished_at) { $0.string($1) }
        w.string(s.updated_at)
        w.int(s.steps)
        w.optional(s.error) { w, e in
            w.string(e.name)
            w.string(e.message)
        }
        w.optional(s.result) { ValueCodec.write($1, to: &$0) }
        w.optional(s.last_operator_action) { $0.string($1) }
        return w.bytes
    }

    static func encode(_ i: IndexInvalidation) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.byte(invalidationKind)
        w.string(i.id)
        w.varint(i.seed)
        w.int(i.maxRedrives)
        w.varint(i.startedBefore)
        w.varint(i.writtenAt)
        return w.bytes
    }

    /// What a first pass needs of an entry (its summary is decoded only if it is listed).
    struct EntryHead {
        var boot: UInt64
        var version: IndexVersion
    }

    static func kind(_ payload: UnsafeRawBufferPointer) -> UInt8? { payload.first }

    static func entryHead(_ payload: UnsafeRawBufferPointer) throws -> (id: String, head: EntryHead, rest: Int) {
        var r = ByteReader(payload)
        _ = try r.byte()
        let id = try r.string()
        let boot = try r.fixed64()
        let version = try readVersion(&r)
        return (id, EntryHead(boot: boot, version: version), r.index)
    }

    static func summary(_ payload: UnsafeRawBufferPointer, id: String, from offset: Int) throws -> ExecutionSummary {
        var r = ByteReader(payload)
        r.index = offset
        let workflow = try r.string()
        let status = try r.string()
        let started = try r.string()
        let finished = try r.optional { try $0.string() }
        let updated = try r.string()
        let steps = try r.int()
        let error = try r.optional { r in ExecutionSummary.ErrorInfo(name: try r.string(), message: try r.string()) }
        let result = try r.optional { try ValueCodec.read(from: &$0) }
        let action = try r.optional { try $0.string() }
        guard r.atEnd else { throw JournalDecodeError.malformed("index entry has trailing bytes") }
        return ExecutionSummary(
            id: id, workflow: workflow, status: status, started_at: started, finished_at: finished, updated_at: updated,
            steps: steps, current_step: nil, compensating: false, error: error, result: result, driver: nil,
            journal_warning: nil, paused: false, last_operator_action: action)
    }

    /// The fields of `summary` that `flow list` prints, in the order they are written.
    static func row(_ payload: UnsafeRawBufferPointer, id: String, from offset: Int) throws -> ExecutionListRow {
        var r = ByteReader(payload)
        r.index = offset
        let workflow = try r.string()
        let status = try r.string()
        let started = try r.string()
        _ = try r.optional { try $0.raw() }
        _ = try r.raw()
        return ExecutionListRow(id: id, workflow: workflow, status: status, started_at: started, steps: try r.int())
    }

    static func invalidation(_ payload: UnsafeRawBufferPointer) throws -> IndexInvalidation {
        var r = ByteReader(payload)
        _ = try r.byte()
        let i = IndexInvalidation(
            id: try r.string(), seed: try r.varint(), maxRedrives: try r.int(), startedBefore: try r.varint(),
            writtenAt: try r.varint())
        guard r.atEnd else { throw JournalDecodeError.malformed("index invalidation has trailing bytes") }
        return i
    }

    private static func writeVersion(_ v: IndexVersion, to w: inout ByteWriter) {
        w.varint(v.startedMillis)
        w.varint(v.seed)
        w.int(v.redrives)
    }

    private static func readVersion(_ r: inout ByteReader) throws -> IndexVersion {
        IndexVersion(startedMillis: try r.varint(), seed: try r.varint(), redrives: try r.int())
    }
}

extension IndexEntry {
    /// The entry for a summary `flow list` would print, when the index can stand for it: a
    /// finished execution whose journal reads cleanly. `driver` is left out: it is the lock's
    /// holder at the moment of reading, not part of the execution's state.
    init?(id: String, state: JournalState, summary: ExecutionSummary, boot: UInt64) {
        guard let started = state.started, state.finished != nil, summary.journal_warning == nil,
              summary.current_step == nil, !summary.compensating, !summary.paused
        else { return nil }
        var s = summary
        s.driver = nil
        self.init(
            id: id, version: IndexVersion(startedMillis: started.at, seed: started.randomSeed, redrives: state.redrives.count),
            boot: boot, summary: s)
    }
}
