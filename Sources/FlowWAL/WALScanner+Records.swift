extension WALScanner {
    enum Parsed {
        case record(type: UInt8, length: Int)
        case damaged(String)
    }

    /// Hands the segment's whole records to the visitor (or appends them to `scan.records`) and
    /// returns the offset where they end. Damage at the end of the last segment becomes
    /// `scan.tail`; any other damage is thrown.
    ///
    /// Whole records with a valid checksum and type are read through the window. At the first
    /// record that is anything else (damage, a record larger than `limit`) the rest of the file is
    /// read into memory and `scanRecords(_:base:...)` applies the full rules to it, so a damage
    /// report names the same file and offset, and says the same, as a scan of the whole file.
    static func scanRecords(
        _ window: WALSegmentWindow, segment: WALScan.Segment, isLast: Bool, limit: Int, log: WALScan.Progress,
        into scan: inout WALScan
    ) throws -> UInt64 {
        let end: Int
        // Unwrapped once: unwrapping per record retained and released the visitor's context each time.
        if let visit = scan.visit {
            end = try wholeRecords(window, limit: limit) { type, payload, offset in
                try visit(WALRecordView(
                    type: type, payload: payload, position: WALPosition(segment: segment.number, offset: UInt64(offset)),
                    file: segment.path, logOffset: log.before + UInt64(offset), logSize: log.size))
            }
        } else {
            end = try wholeRecords(window, limit: limit) { type, payload, offset in
                scan.records.append(WALRecord(
                    type: type, payload: Array(payload), position: WALPosition(segment: segment.number, offset: UInt64(offset)),
                    file: segment.path))
            }
        }
        guard end < window.size else { return UInt64(end) }
        let rest = try window.rest(from: end)
        return try rest.withUnsafeBytes { raw in
            try scanRecords(raw, base: end, segment: segment, isLast: isLast, limit: limit, log: log, into: &scan)
        }
    }

    /// Hands `take` each record (type, payload, file offset) from the first one on, as long as they
    /// are whole, checksummed and of a valid type; returns the offset of the first one that is not,
    /// or of the end of the file.
    @inline(__always)
    static func wholeRecords(
        _ window: WALSegmentWindow, limit: Int, _ take: (UInt8, UnsafeRawBufferPointer, Int) throws -> Void
    ) throws -> Int {
        let headerSize = WALFormat.recordHeaderSize
        var offset = WALFormat.segmentHeaderSize
        while offset < window.size {
            guard let header = try window.bytes(at: offset, count: headerSize) else { break }
            let length = Int(header.loadLE32(at: 0))
            guard length <= limit, let record = try window.bytes(at: offset, count: headerSize + length) else { break }
            let payload = UnsafeRawBufferPointer(rebasing: record[headerSize...])
            let crc = CRC32C.checksum(word: UInt64(littleEndian: record.loadUnaligned(as: UInt64.self)), then: payload)
            let typeAndReserved = record.loadLE32(at: 4)
            guard record.loadLE32(at: 8) == CRC32C.mask(crc), typeAndReserved & 0xFFFF_FF00 == 0,
                  WALFormat.validTypes.contains(UInt8(truncatingIfNeeded: typeAndReserved))
            else { break }
            try take(UInt8(truncatingIfNeeded: typeAndReserved), payload, offset)
            offset += headerSize + length
        }
        return offset
    }

    /// The same over `raw`, the segment's bytes from file offset `base` to its end.
    static func scanRecords(
        _ raw: UnsafeRawBufferPointer, base: Int, segment: WALScan.Segment, isLast: Bool, limit: Int,
        log: WALScan.Progress, into scan: inout WALScan
    ) throws -> UInt64 {
        let visit = scan.visit
        var offset = 0
        while offset < raw.count {
            switch try parse(raw, at: offset, base: base, limit: limit, path: segment.path) {
            case .record(let type, let length):
                let start = offset + WALFormat.recordHeaderSize
                let payload = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                try deliver(
                    type: type, payload: payload, at: base + offset, segment: segment, log: log, visit: visit,
                    into: &scan)
                offset = start + length
            case .damaged(let reason):
                scan.tail = try classify(
                    raw, at: offset, base: base, reason: reason, segment: segment, isLast: isLast, limit: limit)
                return UInt64(base + offset)
            }
        }
        return UInt64(base + offset)
    }

    @inline(__always)
    static func deliver(
        type: UInt8, payload: UnsafeRawBufferPointer, at offset: Int, segment: WALScan.Segment, log: WALScan.Progress,
        visit: WALVisitor?, into scan: inout WALScan
    ) throws {
        let position = WALPosition(segment: segment.number, offset: UInt64(offset))
        if let visit {
            try visit(WALRecordView(
                type: type, payload: payload, position: position, file: segment.path,
                logOffset: log.before + UInt64(offset), logSize: log.size))
        } else {
            scan.records.append(WALRecord(type: type, payload: Array(payload), position: position, file: segment.path))
        }
    }

    /// `offset` indexes `raw`, which holds the file's bytes from `base` on; reports give file offsets.
    static func parse(_ raw: UnsafeRawBufferPointer, at offset: Int, base: Int, limit: Int, path: String) throws -> Parsed {
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
                    message: "\(path): the record at byte offset \(base + offset) is \(length) bytes, more than "
                        + "maxRecordSize (\(limit)); open the log with a larger maxRecordSize",
                    path: path, offset: UInt64(base + offset))
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
                path, offset: UInt64(base + offset),
                "the record has \(what) although its checksum is valid: it was written like this, by another "
                    + "program or a newer flow, and is not a torn write. " + damagedHint(path, UInt64(base + offset)))
        }
        return .record(type: type, length: length)
    }

    /// Torn tail or corruption? Damage is a torn write only at the end of the last segment with no
    /// whole record anywhere after it.
    static func classify(
        _ raw: UnsafeRawBufferPointer, at offset: Int, base: Int, reason: String, segment: WALScan.Segment,
        isLast: Bool, limit: Int
    ) throws -> WALScan.Tail {
        let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
        let zeroFilled = rest.allSatisfy { $0 == 0 }
        let why = zeroFilled ? "zero-filled tail (\(rest.count) bytes of zeros): \(reason)" : reason
        let at = UInt64(base + offset)
        guard isLast else {
            throw WALError.corrupt(
                segment.path, offset: at,
                "\(why); a later segment exists, and it is created only after this one is synced, so this is "
                    + "not a torn write. " + damagedHint(segment.path, at))
        }
        if !zeroFilled, let later = findValidRecord(raw, after: offset, limit: limit) {
            throw WALError.corrupt(
                segment.path, offset: at,
                "\(why); a whole record with a valid checksum follows at byte offset \(base + later), so this is not "
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
        let header = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let start = offset + WALFormat.recordHeaderSize
        return CRC32C.checksum(word: header, then: UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]))
    }

    static func checksumMatches(_ raw: UnsafeRawBufferPointer, at offset: Int, length: Int) -> Bool {
        raw.loadLE32(at: offset + 8) == CRC32C.mask(checksum(raw, at: offset, length: length))
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
