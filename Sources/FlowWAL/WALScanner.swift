#if canImport(Glibc)
import Glibc
#endif

/// The scan shared by WALReader.read and WALWriter.open: it reads every segment (through a window,
/// `WALSegmentWindow`), returns the whole records, and classifies damage as a torn tail
/// (repairable) or corruption (thrown), following the rules in WALFormat.swift. It never modifies
/// anything.
struct WALScan {
    struct Segment {
        var number: UInt32
        var path: String
        /// Where its whole records end (the file length once a torn tail is cut).
        var end: UInt64 = 0
    }

    /// A torn tail found at the end of the last segment.
    struct Tail: Equatable {
        /// The whole last segment is an unfinished creation: remove it rather than cut it.
        var removesSegment: Bool
        var path: String
        var offset: UInt64
        var bytesCut: UInt64
        var reason: String
        var cutBytes: [UInt8]
    }

    var directory: String
    var segments: [Segment]
    var records: [WALRecord]
    var tail: Tail?
    /// When set, records go to the visitor instead of into `records`.
    var visit: WALVisitor?

    /// Where a segment sits in the whole log, for `WALRecordView.logOffset` and `logSize`.
    struct Progress {
        /// Bytes of the segments before it.
        var before: UInt64
        /// Bytes of all segments when the scan began.
        var size: UInt64
    }
}

enum WALScanner {
    /// `chunkSize`: how much of a segment is held at a time (tests make it small to put records
    /// across the window's edges).
    static func scan(
        directory: String, maxRecordSize: Int, visit: WALVisitor? = nil,
        chunkSize: Int = WALSegmentWindow.defaultChunkSize
    ) throws -> WALScan {
        let segments = try listSegments(directory)
        var scan = WALScan(directory: directory, segments: segments, records: [], tail: nil, visit: visit)
        let limit = WALOptions.clampRecordSize(maxRecordSize)
        var log = WALScan.Progress(
            before: 0, size: segments.reduce(0) { $0 + (Sys.fileSize($1.path) ?? 0) })
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            let window = try WALSegmentWindow(path: segment.path, chunkSize: chunkSize)
            let head = try window.bytes(at: 0, count: WALFormat.segmentHeaderSize).map { Array($0) } ?? []
            // Only a damaged header needs the whole file: its checks look at every byte of a short one.
            if headerProblem(head, number: segment.number) != nil {
                let bytes = try window.rest(from: 0)
                if let problem = headerProblem(bytes, number: segment.number) {
                    if let notUnfinished = notAnUnfinishedCreation(bytes, segment: segment, isLast: isLast, isFirst: index == 0) {
                        let hint = damagedHint(segment.path, 0)
                        throw WALError.corrupt(segment.path, offset: 0, "\(problem)\(notUnfinished). \(hint)")
                    }
                    scan.tail = WALScan.Tail(
                        removesSegment: true, path: segment.path, offset: 0, bytesCut: UInt64(bytes.count),
                        reason: "unfinished segment creation: \(problem)", cutBytes: bytes)
                    break
                }
            }
            scan.segments[index].end = try scanRecords(
                window, segment: segment, isLast: isLast, limit: limit, log: log, into: &scan)
            log.before += UInt64(window.size)
        }
        return scan
    }

    /// Segments sorted by number; throws .notFound if there are none and .corrupt if one is missing.
    static func listSegments(_ directory: String) throws -> [WALScan.Segment] {
        if let type = try Sys.fileType(directory), type != S_IFDIR {
            throw WALError.io("open log directory", directory, errno: ENOTDIR, hint: "it is not a directory")
        }
        let numbers = try Sys.listDirectory(directory).compactMap(WALFormat.segmentNumber(fileName:)).sorted()
        guard let first = numbers.first else {
            throw WALError(
                code: .notFound,
                message: "no WAL in \(directory): it holds no segment files (\(WALFormat.segmentName(1)), ...)",
                path: directory)
        }
        for (index, number) in numbers.enumerated() where UInt64(number) != UInt64(first) + UInt64(index) {
            let missing = WALFormat.segmentName(numbers[index - 1] + 1)
            let path = Sys.join(directory, WALFormat.segmentName(number))
            throw WALError.corrupt(
                path, offset: 0,
                "segment \(missing) is missing before it (segments must be numbered without gaps); "
                    + "restore \(missing) from a backup")
        }
        return numbers.map { WALScan.Segment(number: $0, path: Sys.join(directory, WALFormat.segmentName($0))) }
    }

    static func headerProblem(_ bytes: [UInt8], number: UInt32) -> String? {
        let size = WALFormat.segmentHeaderSize
        guard bytes.count >= size else {
            return "the file is \(bytes.count) bytes, shorter than the \(size)-byte segment header"
        }
        guard bytes[0..<8].elementsEqual(WALFormat.magic) else {
            return "not a flow WAL segment (its first 8 bytes are not \"FLOWWAL\\0\")"
        }
        let (version, stored) = bytes.withUnsafeBytes { ($0.loadLE32(at: 8), $0.loadLE32(at: 12)) }
        guard version == WALFormat.version else {
            return "segment format version \(version) is not supported (this build reads version "
                + "\(WALFormat.version)); was it written by a newer flow?"
        }
        guard stored == number else {
            return "its header says it is segment \(stored) but its name says \(number); was it renamed or copied?"
        }
        return nil
    }

    /// Why a segment with a bad header cannot be an unfinished creation (which is then cut like a
    /// torn tail), or nil when it can. A creation syncs the 16-byte header alone before any record
    /// is appended, and a checkpoint removes older segments only once its own segment is synced.
    static func notAnUnfinishedCreation(_ bytes: [UInt8], segment: WALScan.Segment, isLast: Bool, isFirst: Bool) -> String? {
        if !isLast { return "; it is not the last segment, so it is not an unfinished creation" }
        if bytes.count > WALFormat.segmentHeaderSize {
            return "; the file is \(bytes.count) bytes, longer than a header, so records were appended after its header "
                + "was synced: it is not an unfinished creation"
        }
        if isFirst && segment.number != 1 {
            return "; it is the only segment and the segments before it were removed, which happens only after it was "
                + "synced: it is not an unfinished creation"
        }
        return isIncompleteCreation(bytes, number: segment.number) ? nil : ""
    }

    /// Only zeros, or a prefix of the header it should have had, and no longer than the header: the
    /// rename reached the disk before the data did. Anything else in a bad header was written that
    /// way and is not ours to delete.
    static func isIncompleteCreation(_ bytes: [UInt8], number: UInt32) -> Bool {
        guard bytes.count <= WALFormat.segmentHeaderSize else { return false }
        let expected = WALFormat.segmentHeader(number)
        for (index, byte) in bytes.enumerated() where byte != 0 {
            if index >= expected.count || byte != expected[index] { return false }
        }
        return true
    }

    static func damagedHint(_ path: String, _ offset: UInt64) -> String {
        let keep = offset < UInt64(WALFormat.segmentHeaderSize)
            ? "move this file and any later segments aside"
            : "`truncate -s \(offset) \(path)` and move any later segments aside"
        return "It is not repaired automatically: keep a copy of the log directory, then restore it from a backup, "
            + "or keep only the records before the damage: \(keep)"
    }
}
