import Foundation

/// Record <-> WAL payload: the type byte names the record, the payload is its JSON (sorted keys,
/// so equal records are equal bytes). JSON keeps the journal readable with `strings` and lets
/// later versions add optional fields.
enum TriggerRecordCodec {
    static func encode(_ record: TriggerRecord) throws -> (type: UInt8, payload: [UInt8]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch record {
        case .watching(let r): return (TriggerRecord.watchingType, Array(try encoder.encode(r)))
        case .decided(let r): return (TriggerRecord.decidedType, Array(try encoder.encode(r)))
        case .promoted(let r): return (TriggerRecord.promotedType, Array(try encoder.encode(r)))
        case .ended(let r): return (TriggerRecord.endedType, Array(try encoder.encode(r)))
        case .snapshot(let r): return (TriggerRecord.snapshotType, Array(try encoder.encode(r)))
        }
    }

    static func decode(type: UInt8, payload: UnsafeRawBufferPointer) throws -> TriggerRecord {
        let data = Data(payload)
        let decoder = JSONDecoder()
        switch type {
        case TriggerRecord.watchingType: return .watching(try decoder.decode(Watching.self, from: data))
        case TriggerRecord.decidedType: return .decided(try decoder.decode(Decided.self, from: data))
        case TriggerRecord.promotedType: return .promoted(try decoder.decode(Promoted.self, from: data))
        case TriggerRecord.endedType: return .ended(try decoder.decode(Ended.self, from: data))
        case TriggerRecord.snapshotType: return .snapshot(try decoder.decode(TriggerState.self, from: data))
        default:
            throw TriggerJournalError("unknown record type \(type): written by a newer flow? Use that version to watch this trigger")
        }
    }
}

public struct TriggerJournalError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
