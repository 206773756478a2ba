#if canImport(Glibc)
import Glibc
#endif

extension WALWriter {
    /// Creates a new log in `directory` (made with mode 0700 if missing) with an empty first segment.
    /// Throws .alreadyExists if the directory already holds segments.
    public static func create(directory: String, options: WALOptions = .init()) throws -> WALWriter {
        try Sys.makeDirectories(directory, mode: 0o700)
        let existing = try Sys.listDirectory(directory).filter { WALFormat.segmentNumber(fileName: $0) != nil }
        guard existing.isEmpty else {
            throw WALError(
                code: .alreadyExists,
                message: "a WAL already exists in \(directory) (\(existing.sorted().first!)); open it instead, "
                    + "or remove the directory to start over", path: directory)
        }
        try createSegment(directory: directory, number: 1)
        return try WALWriter(directory: directory, options: options, segment: 1,
                             end: UInt64(WALFormat.segmentHeaderSize))
    }

    /// Opens an existing log for appending: scans every segment, cuts a torn tail back to the last whole
    /// record (keeping the cut bytes in "<segment>.broken"), and returns every whole record. Damage that
    /// is not a torn tail throws .corrupt with the file and byte offset and changes nothing.
    public static func open(
        directory: String, options: WALOptions = .init()
    ) throws -> (writer: WALWriter, records: [WALRecord], repair: WALRepair?) {
        try open(directory: directory, options: options, visit: nil)
    }

    /// The same, handing each whole record to `visit` in place (no copies; records come back empty).
    /// A visitor that throws stops the open before anything is repaired.
    public static func open(
        directory: String, options: WALOptions = .init(), visit: WALVisitor?
    ) throws -> (writer: WALWriter, records: [WALRecord], repair: WALRepair?) {
        // Before the scan: records that only a dead process's shared log holds go back first.
        if let shared = options.sharedLogDirectory { try SharedLogRecovery.recover(directory: shared) }
        let scan = try WALScanner.scan(directory: directory, maxRecordSize: options.effectiveMaxRecordSize, visit: visit)
        var current = scan.segments[scan.segments.count - 1]
        var repair: WALRepair?
        if let tail = scan.tail {
            let broken = brokenCopyName(for: tail.path)
            if tail.removesSegment {
                // The whole file is the unfinished creation: moving it aside keeps the copy at no cost.
                try Sys.rename(tail.path, broken)
                try AtomicFile.fsyncDirectory(directory)
                if scan.segments.count > 1 {
                    current = scan.segments[scan.segments.count - 2]
                } else {
                    try createSegment(directory: directory, number: current.number)
                    current.end = UInt64(WALFormat.segmentHeaderSize)
                }
            } else {
                // The copy must be durable before the only other copy of those bytes is cut.
                try AtomicFile.write(path: broken, contents: tail.cutBytes)
                try truncate(tail.path, to: tail.offset)
            }
            repair = WALRepair(file: tail.path, offset: tail.offset, bytesCut: tail.bytesCut,
                               brokenCopy: broken, reason: tail.reason)
        }
        let writer = try WALWriter(directory: directory, options: options, segment: current.number, end: current.end)
        // With group commit this writer's frames cover only what it appends. Whole records a dead
        // process appended but never committed are part of the log from now on, so they are made
        // durable here, or a crash of the machine would leave a gap before the first frame.
        if writer.commitGroup != nil { try writer.sync() }
        return (writer, scan.records, repair)
    }

    /// Moves appends to a new segment. The old one is synced first, whatever the policy: a segment with
    /// a successor is then always whole, which is what lets a scan call damage in it corruption.
    func roll() throws {
        guard segment < UInt32.max else {
            throw WALError(code: .io, message: "\(directory): the log has reached the last segment number",
                           path: directory)
        }
        if unsynced { try sync() }
        let next = segment + 1
        try Self.createSegment(directory: directory, number: next)
        let path = Sys.join(directory, WALFormat.segmentName(next))
        let newFD = try Sys.open(path, O_WRONLY, operation: "open for appending")
        Sys.close(fd)
        fd = newFD
        segment = next
        segmentPath = path
        framePath = []
        end = UInt64(WALFormat.segmentHeaderSize)
        lastSync = .now
    }

    static func createSegment(directory: String, number: UInt32) throws {
        let path = Sys.join(directory, WALFormat.segmentName(number))
        try AtomicFile.write(path: path, contents: WALFormat.segmentHeader(number), mode: 0o600)
    }

    static func truncate(_ path: String, to length: UInt64) throws {
        let fd = try Sys.open(path, O_WRONLY, operation: "open for repair")
        defer { Sys.close(fd) }
        try Sys.ftruncate(fd, to: length, path: path)
        try Sys.fsync(fd, path: path)
    }

    /// "<segment>.broken", or ".broken.1", ".broken.2", ... so an earlier repair's copy is never replaced.
    static func brokenCopyName(for path: String) -> String {
        var candidate = path + ".broken"
        var counter = 0
        while Sys.exists(candidate) {
            counter += 1
            candidate = path + ".broken.\(counter)"
        }
        return candidate
    }
}
