import FlowLua

/// The journal's record types: the WAL's type byte for each entry. Values are on disk
/// forever; add new ones, never renumber.
enum JournalRecordType: UInt8 {
    case started = 1
    case intent = 2
    case completed = 3
    case failed = 4
    case compensating = 5
    case finished = 6
    case resumed = 7
    case operatorAction = 8
    case redriven = 9
    case stepCheckpoint = 10
}

extension StepKind {
    /// One byte on disk: a replay decodes one per step, and a string would cost an allocation.
    var code: UInt8 {
        switch self {
        case .step: 1
        case .native: 2
        case .sleep: 3
        case .signal: 4
        case .now: 5
        case .random: 6
        }
    }

    init?(code: UInt8) {
        switch code {
        case 1: self = .step
        case 2: self = .native
        case 3: self = .sleep
        case 4: self = .signal
        case 5: self = .now
        case 6: self = .random
        default: return nil
        }
    }
}

/// Entries to and from WAL payloads. Each payload starts with a format version byte so a
/// later flow can read what this one wrote.
public enum JournalCodec {
    static let version: UInt8 = 1

    public static func encode(_ entry: JournalEntry) -> (type: UInt8, payload: [UInt8]) {
        var w = ByteWriter()
        w.byte(version)
        let type: JournalRecordType
        switch entry {
        case .started(let e):
            type = .started
            w.string(e.id); w.string(e.workflow); w.string(e.scriptDigest)
            ValueCodec.write(.table(e.params), to: &w)
            w.varint(e.randomSeed); w.varint(e.at); w.string(e.host); w.varint(Int64(e.pid))
            // Added after version 1 shipped: a reader finds it only when bytes remain.
            if !e.settings.isEmpty { ValueCodec.write(.table(e.settings.mapValues { .string($0) }), to: &w) }
        case .intent(let e):
            type = .intent
            w.int(e.seq); w.int(e.attempt); w.byte(e.kind.code); w.string(e.name)
            w.fixed64(e.digest); w.string(e.location)
            ValueCodec.write(e.args, to: &w)
            w.varint(e.at)
            w.optional(e.deadline) { $0.varint($1) }
        case .completed(let e):
            type = .completed
            w.int(e.seq); w.int(e.attempt)
            ValueCodec.write(e.value, to: &w)
            w.varint(e.at)
            w.optional(e.consumed) { $0.string($1) }
        case .failed(let e):
            type = .failed
            w.int(e.seq); w.int(e.attempt); writeError(e.error, &w); w.varint(e.at)
            w.optional(e.retryAt) { $0.varint($1) }
        case .compensating(let e):
            type = .compensating
            w.string(e.reason.rawValue); writeError(e.error, &w); w.int(e.atSeq); w.int(e.nextSeq); w.varint(e.at)
        case .finished(let e):
            type = .finished
            w.string(e.status.rawValue)
            ValueCodec.write(e.value, to: &w)
            w.optional(e.error) { writeError($1, &$0) }
            w.varint(e.at)
        case .resumed(let e):
            type = .resumed
            w.varint(e.at); w.string(e.host); w.varint(Int64(e.pid)); w.byte(e.scriptChanged ? 1 : 0)
        case .operatorAction(let e):
            type = .operatorAction
            w.string(e.action.rawValue); w.string(e.by); w.optional(e.reason) { $0.string($1) }; w.varint(e.at); w.int(e.seq)
            w.byte(e.force ? 1 : 0); w.string(e.message)
        case .redriven(let e):
            type = .redriven
            w.varint(e.at); w.string(e.by); w.optional(e.reason) { $0.string($1) }; w.int(e.fromSeq)
        case .stepCheckpoint(let e):
            type = .stepCheckpoint
            w.int(e.seq); w.int(e.attempt)
            ValueCodec.write(e.value, to: &w)
            w.varint(e.at)
        }
        return (type.rawValue, w.bytes)
    }

    /// Throws a message that says what is wrong with the record; the caller adds file + offset.
    public static func decode(type: UInt8, payload: [UInt8]) throws -> JournalEntry {
        try payload.withUnsafeBytes { try decode(type: type, payload: $0) }
    }

    /// Decodes in place, e.g. from a WAL segment's buffer during a scan.
    public static func decode(type: UInt8, payload: UnsafeRawBufferPointer) throws -> JournalEntry {
        var recent = RecentStrings()
        return try decode(type: type, payload: payload, recent: &recent)
    }

    /// The same, reusing `recent`'s strings for a step's name and location when they repeat, as
    /// they do for every step of a loop; `recent` then holds this record's.
    static func decode(type: UInt8, payload: UnsafeRawBufferPointer, recent: inout RecentStrings) throws -> JournalEntry {
        guard let kind = JournalRecordType(rawValue: type) else {
            throw JournalDecodeError.malformed("unknown journal record type \(type) (written by a newer flow?)")
        }
        var r = ByteReader(payload)
        let v = try r.byte()
        guard v == version else {
            throw JournalDecodeError.malformed("journal record version \(v), this flow reads version \(version)")
        }
        let entry: JournalEntry
        switch kind {
        case .started:
            let id = try r.string(), workflow = try r.string(), digest = try r.string()
            guard case .table(let params) = try ValueCodec.read(from: &r) else {
                throw JournalDecodeError.malformed("parameters are not a table")
            }
            var started = ExecutionStarted(
                id: id, workflow: workflow, scriptDigest: digest, params: params,
                randomSeed: try r.varint(), at: try r.varint(), host: try r.string(), pid: Int32(truncatingIfNeeded: try r.varint()))
            if r.remaining > 0 {
                guard case .table(let settings) = try ValueCodec.read(from: &r) else {
                    throw JournalDecodeError.malformed("settings are not a table")
                }
                started.settings = settings.compactMapValues { $0.stringValue }
            }
            entry = .started(started)
        case .intent:
            let seq = try r.int(), attempt = try r.int()
            let code = try r.byte()
            guard let stepKind = StepKind(code: code) else {
                throw JournalDecodeError.malformed("unknown step kind \(code)")
            }
            entry = .intent(StepIntent(
                seq: seq, attempt: attempt, kind: stepKind, name: try r.string(reusing: &recent.name),
                digest: try r.fixed64(), location: try r.string(reusing: &recent.location),
                args: try ValueCodec.read(from: &r), at: try r.varint(),
                deadline: try r.optional { try $0.varint() }))
        case .completed:
            entry = .completed(StepCompleted(
                seq: try r.int(), attempt: try r.int(), value: try ValueCodec.read(from: &r), at: try r.varint(),
                consumed: try r.optional { try $0.string() }))
        case .failed:
            entry = .failed(StepFailed(
                seq: try r.int(), attempt: try r.int(), error: try readError(&r), at: try r.varint(),
                retryAt: try r.optional { try $0.varint() }))
        case .compensating:
            let reasonName = try r.string()
            guard let reason = CompensationReason(rawValue: reasonName) else {
                throw JournalDecodeError.malformed("unknown compensation reason '\(reasonName)'")
            }
            entry = .compensating(Compensating(
                reason: reason, error: try readError(&r), atSeq: try r.int(), nextSeq: try r.int(), at: try r.varint()))
        case .finished:
            let statusName = try r.string()
            guard let status = FinalStatus(rawValue: statusName) else {
                throw JournalDecodeError.malformed("unknown final status '\(statusName)'")
            }
            entry = .finished(ExecutionFinished(
                status: status, value: try ValueCodec.read(from: &r), error: try r.optional { try readError(&$0) },
                at: try r.varint()))
        case .resumed:
            entry = .resumed(Resumed(
                at: try r.varint(), host: try r.string(), pid: Int32(truncatingIfNeeded: try r.varint()),
                scriptChanged: try r.byte() != 0))
        case .operatorAction:
            let actionName = try r.string()
            guard let action = OperatorAction.Action(rawValue: actionName) else {
                throw JournalDecodeError.malformed("unknown operator action '\(actionName)'")
            }
            entry = .operatorAction(OperatorAction(
                action: action, by: try r.string(), reason: try r.optional { try $0.string() }, at: try r.varint(),
                seq: try r.int(), force: try r.byte() != 0, message: try r.string()))
        case .redriven:
            entry = .redriven(Redriven(at: try r.varint(), by: try r.string(), reason: try r.optional { try $0.string() },
                                       fromSeq: try r.int()))
        case .stepCheckpoint:
            entry = .stepCheckpoint(StepCheckpoint(
                seq: try r.int(), attempt: try r.int(), value: try ValueCodec.read(from: &r), at: try r.varint()))
        }
        guard r.atEnd else { throw JournalDecodeError.malformed("\(r.remaining) unexpected bytes after the record") }
        return entry
    }

    private static func writeError(_ e: StepError, _ w: inout ByteWriter) {
        w.string(e.name)
        w.string(e.message)
    }

    private static func readError(_ r: inout ByteReader) throws -> StepError {
        StepError(name: try r.string(), message: try r.string())
    }
}
