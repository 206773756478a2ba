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
        guard WALFormat.validTypes.contains(type) else {
            throw WALError(code: .invalidType, message: "record type \(type) is not valid: types are 1...127")
        }
        var total = 0
        for payload in payloads {
            guard payload.count <= maxRecordSize else {
                throw WALError(code: .recordTooLarge,
                               message: "record of \(payload.count) bytes is larger than maxRecordSize (\(maxRecordSize) bytes)")
            }
            total += WALFormat.recordHeaderSize + payload.count
        }
        guard total > 0 else { return }
        if end > UInt64(WALFormat.segmentHeaderSize) && end + UInt64(total) > UInt64(max(options.segmentSize, 0)) {
            try roll()
        }
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
            if Glibc.ftruncate(fd, off_t(end)) != 0 {
                failure = WALError(code: .io, message: "\(error.message); cutting the partial batch off failed too, so "
                    + "this writer is unusable: reopen the log to repair it", path: segmentPath, offset: end, errno: error.errno)
            }
            throw error
        }
        end += UInt64(total)
        unsynced = true
    }
}
