#if canImport(Glibc)
import Glibc
#endif

/// Appends records to a log (format in WALFormat.swift). Not Sendable: it has one owner, which makes
/// every record durable by calling commit() (or sync()) before acknowledging it.
///
/// After a failed write the file is cut back to the end of the last whole record; if that is not
/// possible, or an fdatasync fails (the kernel may have dropped the dirty pages, so a retry could
/// falsely succeed), the writer refuses all further work: reopen the log, which rescans and repairs it.
public final class WALWriter {
    public let directory: String
    public let options: WALOptions
    /// Number of fdatasync calls made on segments (commit, sync, close and segment rolls).
    public internal(set) var syncCount = 0

    var fd: Int32
    var segment: UInt32
    var segmentPath: String
    /// Length of the current segment: where the next record goes.
    var end: UInt64
    var unsynced = false
    var lastSync = ContinuousClock.now
    var failure: WALError?
    var closed = false
    /// With `options.groupCommit`, the group whose shared log commits this log's records.
    var commitGroup: GroupCommit?
    /// With a commit group: the bytes appended to the current segment since the last commit, from
    /// `pendingOffset`, which the next suspending commit hands to the group as one frame.
    var pending: [UInt8] = []
    var pendingOffset: UInt64 = 0
    /// The current segment's path field for frames, made at its first frame (emptied by roll()).
    var framePath: [UInt8] = []
    /// Commits made durable by a group's shared log instead of an fdatasync of the segment.
    public internal(set) var sharedCommitCount = 0
    let maxRecordSize: Int
    /// The 12-byte record header, reused by every append.
    let header = UnsafeMutableRawBufferPointer.allocate(byteCount: WALFormat.recordHeaderSize, alignment: 4)

    init(directory: String, options: WALOptions, segment: UInt32, end: UInt64) throws {
        let path = Sys.join(directory, WALFormat.segmentName(segment))
        self.fd = try Sys.open(path, O_WRONLY, operation: "open for appending")
        self.directory = directory
        self.options = options
        self.segment = segment
        self.segmentPath = path
        self.end = end
        self.maxRecordSize = options.effectiveMaxRecordSize
        if options.groupCommit, let shared = options.sharedLogDirectory { commitGroup = GroupCommit.group(for: shared) }
    }

    deinit {
        if !closed { Sys.close(fd) }
        header.deallocate()
    }

    /// Where the next record will go (before any roll to a new segment).
    public var endPosition: WALPosition { WALPosition(segment: segment, offset: end) }

    /// True when records were appended since the last sync: under .batch, sync() them before going idle.
    public var hasUnsyncedRecords: Bool { unsynced }

    /// Writes one framed record after the last one with a single pwritev (no fsync: see commit()).
    @discardableResult
    public func append(type: UInt8, payload: [UInt8]) throws -> WALPosition {
        try payload.withUnsafeBytes { try append(type: type, payload: $0) }
    }

    @discardableResult
    public func append(type: UInt8, payload: UnsafeRawBufferPointer) throws -> WALPosition {
        try checkUsable()
        try checkRecord(type: type, size: payload.count)
        try rollIfFull(adding: UInt64(WALFormat.recordHeaderSize + payload.count))
        WALFormat.encodeRecordHeader(into: header, type: type, payload: payload)
        let position = WALPosition(segment: segment, offset: end)
        do {
            try writeRecord(payload, at: end)
        } catch let error as WALError {
            cutBack(after: error)
            throw error
        }
        end += UInt64(WALFormat.recordHeaderSize + payload.count)
        unsynced = true
        if commitGroup != nil {
            if pending.isEmpty { pendingOffset = position.offset }
            pending.append(contentsOf: UnsafeRawBufferPointer(header))
            pending.append(contentsOf: payload)
        }
        return position
    }

    func checkRecord(type: UInt8, size: Int) throws {
        guard WALFormat.validTypes.contains(type) else {
            throw WALError(
                code: .invalidType,
                message: "record type \(type) is not valid: types are 1...127 (0 and 128...255 are reserved)")
        }
        guard size <= maxRecordSize else {
            throw WALError(
                code: .recordTooLarge,
                message: "record of \(size) bytes is larger than maxRecordSize (\(maxRecordSize) bytes); "
                    + "store large data outside the log and record a reference to it")
        }
    }

    /// Moves to a new segment first when the current one already holds records and `bytes` more
    /// would take it past `segmentSize`.
    func rollIfFull(adding bytes: UInt64) throws {
        if end > UInt64(WALFormat.segmentHeaderSize) && end + bytes > UInt64(max(options.segmentSize, 0)) {
            try roll()
        }
    }

    /// After a failed write: cuts the file back to the last whole record. A partial record
    /// followed by more appends would turn a failed write into mid-log damage.
    func cutBack(after error: WALError) {
        if Glibc.ftruncate(fd, off_t(end)) != 0 {
            failure = WALError(
                code: .io,
                message: "\(error.message); cutting the partial record off failed too, so this writer is "
                    + "unusable: reopen the log to repair it", path: segmentPath, offset: end, errno: error.errno)
        }
    }

    func writeRecord(_ payload: UnsafeRawBufferPointer, at offset: UInt64) throws {
        let total = header.count + payload.count
        var written = try withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { vectors in
            vectors[0] = iovec(iov_base: header.baseAddress, iov_len: header.count)
            vectors[1] = iovec(iov_base: UnsafeMutableRawPointer(mutating: payload.baseAddress), iov_len: payload.count)
            while true {
                let n = pwritev(fd, vectors.baseAddress, payload.isEmpty ? 1 : 2, off_t(offset))
                if n >= 0 { return n }
                if Sys.lastErrno != EINTR { throw WALError.io("write to", segmentPath, errno: Sys.lastErrno) }
            }
        }
        guard written < total else { return }
        // Rare partial write (signal, full disk): finish it piece by piece, or fail with errno.
        if written < header.count {
            try Sys.pwriteAll(fd, UnsafeRawBufferPointer(rebasing: header[written...]), at: offset + UInt64(written),
                              path: segmentPath)
            written = header.count
        }
        let done = written - header.count
        try Sys.pwriteAll(fd, UnsafeRawBufferPointer(rebasing: payload[done...]), at: offset + UInt64(written),
                          path: segmentPath)
    }

    /// fdatasync now, whatever the policy.
    public func sync() throws {
        try checkUsable()
        do {
            try Sys.fdatasync(fd, path: segmentPath)
        } catch let error as WALError {
            throw syncFailed(error)
        }
        synced()
    }

    /// Makes the appended records durable as the policy says: .always syncs, .batch syncs when the last
    /// sync is older than batchInterval, .none never does. A commit with nothing appended since the
    /// last sync does nothing (there is nothing to make durable).
    public func commit() throws {
        try checkUsable()
        if commitWouldSync { try sync() }
    }

    /// Whether commit() would fdatasync now.
    public var commitWouldSync: Bool {
        guard unsynced, failure == nil, !closed else { return false }
        switch options.syncPolicy {
        case .always: return true
        case .batch: return ContinuousClock.now - lastSync >= options.batchInterval
        case .none: return false
        }
    }

    func synced() {
        syncCount += 1
        unsynced = false
        pending.removeAll(keepingCapacity: true)
        lastSync = .now
    }

    /// A failed fdatasync makes the writer unusable (see the type's comment).
    func syncFailed(_ error: WALError) -> WALError {
        let failure = WALError(
            code: .io, message: "\(error.message); records since the last sync may be lost, so this writer is "
                + "unusable: reopen the log", path: segmentPath, errno: error.errno)
        self.failure = failure
        return failure
    }

    /// Syncs (unless the policy is .none) and closes the file. Idempotent; the writer is unusable after.
    public func close() throws {
        guard !closed else { return }
        defer {
            closed = true
            Sys.close(fd)
        }
        if unsynced && options.syncPolicy != .none && failure == nil { try sync() }
    }

    func checkUsable() throws {
        if let failure { throw failure }
        if closed {
            throw WALError(code: .io, message: "the WAL writer for \(directory) is closed; open the log again",
                           path: directory)
        }
    }
}
