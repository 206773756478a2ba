extension WALScanner {
    enum Parsed {
        case record(type: UInt8, length: Int)
        case damaged(String)
    }

    /// Appends the segment's whole records to `scan` and returns the offset where they end. Damage at
    /// the end of the last segment becomes `scan.tail`; any other damage is thrown.
    static func scanRecords(
        _ bytes: [UInt8], segment: WALScan.Segment, isLast: Bool, limit: Int, into scan: inout WALScan
    ) throws -> UInt64 {
        try bytes.withUnsafeBytes { raw in
            var offset = WALFormat.segmentHeaderSize
            while offset < raw.count {
                switch try parse(raw, at: offset, limit: limit, path: segment.path) {
                case .record(let type, let length):
                    let start = offset + WALFormat.recordHeaderSize
                    let payload = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    let position = WALPosition(segment: segment.number, offset: UInt64(offset))
                    if let visit = scan.visit {
                        try visit(WALRecordView(type: type, payload: payload, position: position, file: segment.path))
                    } else {
                        scan.records.append(WALRecord(type: type, payload: Array(payload), position: position, file: segment.path))
                    }
                    offset = start + length
                case .damaged(let reason):
                    scan.tail = try classify(
                        raw, at: offset, reason: reason, segment: segment, isLast: isLast, limit: limit)
                    return UInt64(offset)
                }
            }
            return UInt64(offset)
        }
    }

    static func parse(_ raw: UnsafeRawBufferPointer, at offset: Int, limit: Int, path: String) throws -> Parsed {
        let headerSize = WALFormat.recordHeaderSize
        let available = raw.count - offset
        guard available >= headerSize else {
            return .damaged("incomplete record header (\(available) of \(headerSize) bytes)")
        }
        let length = Int(raw.loadLE32(at: offset))
        let fits = length <= available - headerSize
        if length > limit {
            if fits && checksumMatches(raw, at: offset, length: length) {
                throw WALError(
                    code: .recordTooLarge,
                    message: "\(path): the record at byte offset \(offset) is \(length) bytes, more than "
                        + "maxRecordSize (\(limit)); open the log with a larger maxRecordSize",
                    path: path, offset: UInt64(offset))
            }
            return .damaged("record length \(length) exceeds maxRecordSize \(limit)")
        }
        guard fits else {
            return .damaged("record of \(length) bytes runs past the end of the file "
                + "(\(available - headerSize) bytes follow its header)")
        }
        let stored = raw.loadLE32(at: offset + 8)
        let computed = CRC32C.mask(checksum(raw, at: offset, length: length))
        guard stored == computed else {
            return .damaged("checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        let type = raw[offset + 4]
        let reserved = (raw[offset + 5], raw[offset + 6], raw[offset + 7])
        guard WALFormat.validTypes.contains(type), reserved == (0, 0, 0) else {
            let what = WALFormat.validTypes.contains(type)
                ? "nonzero reserved bytes (\(reserved.0), \(reserved.1), \(reserved.2))"
                : "type \(type) (valid types are 1...127)"
            throw WALError.corrupt(
                path, offset: UInt64(offset),
                "the record has \(what) although its checksum is valid: it was written like this, by another "
                    + "program or a newer flow, and is not a torn write. " + damagedHint(path, UInt64(offset)))
        }
        return .record(type: type, length: length)
    }

    /// Torn tail or corruption? Damage is a torn write only at the end of the last segment with no
    /// whole record anywhere after it.
    static func classify(
        _ raw: UnsafeRawBufferPointer, at offset: Int, reason: String, segment: WALScan.Segment,
        isLast: Bool, limit: Int
    ) throws -> WALScan.Tail {
        let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
        let zeroFilled = rest.allSatisfy { $0 == 0 }
        let why = zeroFilled ? "zero-filled tail (\(rest.count) bytes of zeros): \(reason)" : reason
        let at = UInt64(offset)
        guard isLast else {
            throw WALError.corrupt(
                segment.path, offset: at,
                "\(why); a later segment exists, and it is created only after this one is synced, so this is "
                    + "not a torn write. " + damagedHint(segment.path, at))
        }
        if !zeroFilled, let later = findValidRecord(raw, after: offset, limit: limit) {
            throw WALError.corrupt(
                segment.path, offset: at,
                "\(why); a whole record with a valid checksum follows at byte offset \(later), so this is not "
                    + "a torn write. " + damagedHint(segment.path, at))
        }
        return WALScan.Tail(
            removesSegment: false, path: segment.path, offset: at, bytesCut: UInt64(rest.count),
            reason: why, cutBytes: Array(rest))
    }

    /// The first later byte offset where a whole record starts, if any. The type and reserved bytes
    /// are checked before the checksum so that a large damaged region costs a linear scan, not a
    /// checksum over up to maxRecordSize bytes at every offset whose first bytes look like a length.
    static func findValidRecord(_ raw: UnsafeRawBufferPointer, after offset: Int, limit: Int) -> Int? {
        let headerSize = WALFormat.recordHeaderSize
        var candidate = offset + 1
        while candidate + headerSize <= raw.count {
            let length = Int(raw.loadLE32(at: candidate))
            let typeAndReserved = raw.loadLE32(at: candidate + 4)
            if typeAndReserved & 0xFFFF_FF00 == 0, WALFormat.validTypes.contains(UInt8(typeAndReserved & 0xFF)),
               length <= limit, length <= raw.count - candidate - headerSize,
               checksumMatches(raw, at: candidate, length: length) {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    @inline(__always)
    static func checksum(_ raw: UnsafeRawBufferPointer, at offset: Int, length: Int) -> UInt32 {
        let header = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + WALFormat.checksummedHeaderBytes)])
        let start = offset + WALFormat.recordHeaderSize
        let payload = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
        return CRC32C.checksum(payload, seed: CRC32C.checksum(header))
    }

    static func checksumMatches(_ raw: UnsafeRawBufferPointer, at offset: Int, length: Int) -> Bool {
        raw.loadLE32(at: offset + 8) == CRC32C.mask(checksum(raw, at: offset, length: length))
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
