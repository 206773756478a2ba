/// One frame of a group-commit shared log (GroupCommit.swift): bytes that a log appended to its own
/// segment, copied so that one fdatasync of the shared log makes them durable.
///
/// Payload of a shared-log record of type `SharedLogFrame.recordType`:
///
///     +------------------+-------------------+---------------+------------------------------+
///     | path length u32  | segment path      | offset u64    | bytes (whole records, as in  |
///     |                  | (UTF-8)           |               | the segment from `offset`)   |
///     +------------------+-------------------+---------------+------------------------------+
///
/// The path is relative to the shared log directory's parent (the flow home), so a home that is
/// moved as a whole keeps working; a segment outside it is stored absolute.
struct SharedLogFrame: Equatable {
    static let recordType: UInt8 = 1

    var segmentPath: String
    var offset: UInt64
    var bytes: [UInt8]

    /// The length-prefixed path that begins every frame of one segment (a writer keeps it for
    /// its current segment rather than redo the string work at every commit).
    static func pathField(segmentPath: String, relativeTo base: String) -> [UInt8] {
        let prefix = base.hasSuffix("/") ? base : base + "/"
        let stored = segmentPath.hasPrefix(prefix) ? String(segmentPath.dropFirst(prefix.count)) : segmentPath
        var field: [UInt8] = []
        WALFormat.appendLE(UInt32(stored.utf8.count), to: &field)
        field += stored.utf8
        return field
    }

    static func encode(pathField: [UInt8], offset: UInt64, bytes: [UInt8]) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(pathField.count + 8 + bytes.count)
        payload += pathField
        WALFormat.appendLE(UInt32(truncatingIfNeeded: offset), to: &payload)
        WALFormat.appendLE(UInt32(truncatingIfNeeded: offset >> 32), to: &payload)
        payload += bytes
        return payload
    }

    /// nil when the payload is too short for its own path length (written by something else).
    static func decode(_ payload: [UInt8], relativeTo base: String) -> SharedLogFrame? {
        payload.withUnsafeBytes { raw -> SharedLogFrame? in
            guard raw.count >= 4 else { return nil }
            let length = Int(raw.loadLE32(at: 0))
            guard raw.count >= 4 + length + 8 else { return nil }
            let stored = String(decoding: raw[4..<(4 + length)], as: UTF8.self)
            let low = UInt64(raw.loadLE32(at: 4 + length)), high = UInt64(raw.loadLE32(at: 8 + length))
            let path = stored.hasPrefix("/") ? stored : Sys.join(base, stored)
            return SharedLogFrame(segmentPath: path, offset: low | high << 32, bytes: Array(raw[(12 + length)...]))
        }
    }
}
