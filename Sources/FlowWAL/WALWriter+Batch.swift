#if canImport(Glibc)
import Glibc
#endif

extension WALWriter {
    /// Appends records of one type with a single write, in order (group commit's rounds: one write
    /// of many frames instead of one each). The batch goes to one segment: it rolls first when the
    /// current one already holds records and the batch would take it past `segmentSize`. As with
    /// append, a failed write is cut back so that no partial record stays.
    public func append(type: UInt8, payloads: [[UInt8]]) throws {
        try checkUsable()
        for payload in payloads { try checkRecord(type: type, size: payload.count) }
        let total = payloads.reduce(0) { $0 + WALFormat.recordHeaderSize + $1.count }
        guard total > 0 else { return }
        try rollIfFull(adding: UInt64(total))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(total)
        for payload in payloads {
            payload.withUnsafeBytes { WALFormat.encodeRecordHeader(into: header, type: type, payload: $0) }
            bytes.append(contentsOf: UnsafeRawBufferPointer(header))
            bytes.append(contentsOf: payload)
        }
        do {
            try bytes.withUnsafeBytes { try Sys.pwriteAll(fd, $0, at: end, path: segmentPath) }
        } catch let error as WALError {
            cutBack(after: error)
            throw error
        }
        end += UInt64(total)
        unsynced = true
    }
}
