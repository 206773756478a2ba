#if canImport(Glibc)
import Glibc
#endif

/// Puts back what a crash of the machine took from logs that committed through a group-commit
/// shared log (GroupCommit), before any of them is opened for writing.
///
/// Those logs' records were durable in the shared log only: their own segments had them in the
/// page cache, which a power loss or kernel crash drops. A generation whose owner is gone (its
/// lock is free) is read back frame by frame, and each frame's bytes are compared with its
/// segment at the frame's offset:
/// - the same bytes: nothing to do (the owner died, the machine did not);
/// - shorter, or zeros where the bytes should be (the file was extended but its data never
///   reached the disk): the frame is written there;
/// - other bytes, or a segment that ends before the frame starts: this is not the history the
///   frame continues, so nothing is written and it is reported (.corrupt, with the segment, the
///   offset and the generation) and the generation is kept.
/// Then every segment touched is fdatasynced and the generation removed. Frames of a segment
/// that is gone are passed over when its log is gone too (deleted with its execution) or has
/// later segments (a complete segment is synced before its successor exists); a segment missing
/// from a log that should still have it is reported.
///
/// It runs under `DIR/recovery.lock`, held while it works and while a generation is removed, so
/// two processes never recover one generation at once and a resume never reads a log that another
/// process is still repairing.
public enum SharedLogRecovery {
    static let lockName = "recovery.lock"

    /// What a recovery did.
    public struct Report: Sendable, Equatable {
        /// Generations of dead processes that were read back and removed.
        public var generations = 0
        /// Frames read, and of those the ones whose bytes had to be written back.
        public var frames = 0
        public var framesWritten = 0
        public var bytesWritten = 0
    }

    /// Recovers every generation in `directory` (the shared log directory) whose owner is gone.
    /// A missing directory, or one with no generation, costs one directory listing.
    @discardableResult
    public static func recover(directory: String) throws -> Report {
        var report = Report()
        guard let names = try? Sys.listDirectory(directory) else { return report }
        let candidates = names.filter { $0 != lockName }.sorted()
        guard !candidates.isEmpty else { return report }
        let recovery = try FileLock.acquire(path: Sys.join(directory, lockName), wait: true)
        defer { recovery.release() }
        for name in candidates {
            let generation = Sys.join(directory, name)
            guard try Sys.fileType(generation) == S_IFDIR else { continue }
            let owner: FileLock
            do {
                owner = try FileLock.acquire(path: Sys.join(generation, SharedLogGeneration.lockName))
            } catch let error as WALError where error.code == .locked {
                continue  // its process is running
            }
            defer { owner.release() }
            // A process that died before its first round left the directory without a segment.
            let hasFrames = try Sys.listDirectory(generation).contains { WALFormat.segmentNumber(fileName: $0) != nil }
            if hasFrames && !name.hasPrefix(SharedLogGeneration.stagingPrefix) {
                try apply(generation, base: Sys.parentDirectory(directory), report: &report)
                report.generations += 1
            }
            try SharedLogGeneration.removeUnlocked(generation, parent: directory)
        }
        return report
    }

    /// Writes back the frames of one generation, then syncs every segment they name.
    static func apply(_ generation: String, base: String, report: inout Report) throws {
        // A torn tail is the last round, which was never synced, so never acknowledged.
        let frames = try WALReader.read(directory: generation).records
        var open: [String: Int32] = [:]
        defer { open.values.forEach(Sys.close) }
        for record in frames {
            guard record.type == SharedLogFrame.recordType,
                  let frame = SharedLogFrame.decode(record.payload, relativeTo: base)
            else {
                throw WALError(code: .corrupt, message: "not a group-commit frame (type \(record.type), "
                    + "\(record.payload.count) bytes): this shared log was written by something else",
                    path: record.file, offset: record.position.offset)
            }
            report.frames += 1
            let fd: Int32
            if let known = open[frame.segmentPath] {
                fd = known
            } else {
                guard let opened = try openSegment(frame, record: record) else { continue }
                open[frame.segmentPath] = opened
                fd = opened
            }
            if try writeBack(frame, fd: fd, record: record) {
                report.framesWritten += 1
                report.bytesWritten += frame.bytes.count
            }
        }
        for (path, fd) in open { try Sys.fdatasync(fd, path: path) }
    }

    /// The segment open for writing, or nil when its frames are to be passed over (see the type).
    static func openSegment(_ frame: SharedLogFrame, record: WALRecord) throws -> Int32? {
        let fd = Glibc.open(frame.segmentPath, O_RDWR | O_CLOEXEC)
        if fd >= 0 { return fd }
        guard Sys.lastErrno == ENOENT else { throw WALError.io("open for recovery", frame.segmentPath, errno: Sys.lastErrno) }
        let log = Sys.parentDirectory(frame.segmentPath)
        guard Sys.exists(log) else { return nil }
        let name = String(frame.segmentPath.dropFirst(log.count + 1))
        if let number = WALFormat.segmentNumber(fileName: name),
           try Sys.listDirectory(log).contains(where: { (WALFormat.segmentNumber(fileName: $0) ?? 0) > number })
        {
            return nil
        }
        throw WALError(code: .corrupt, message: "a group-commit frame holds records of \(frame.segmentPath) at offset "
            + "\(frame.offset), but that segment is missing and its log has no later one: records would be lost; "
            + "the shared log \(record.file) is kept", path: record.file, offset: record.position.offset)
    }

    /// Writes the frame's bytes unless the segment already holds them; true if it wrote.
    static func writeBack(_ frame: SharedLogFrame, fd: Int32, record: WALRecord) throws -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw WALError.io("stat", frame.segmentPath, errno: Sys.lastErrno) }
        let size = UInt64(info.st_size)
        guard size >= frame.offset else {
            throw WALError(code: .corrupt, message: "\(frame.segmentPath) ends at \(size) bytes, before a group-commit "
                + "frame that continues it at offset \(frame.offset): the bytes between were lost; nothing was written "
                + "and the shared log is kept", path: record.file, offset: record.position.offset)
        }
        let present = Int(min(size - frame.offset, UInt64(frame.bytes.count)))
        var existing = [UInt8](repeating: 0, count: present)
        if present > 0 {
            let n = existing.withUnsafeMutableBytes { pread(fd, $0.baseAddress, present, off_t(frame.offset)) }
            guard n == present else { throw WALError.io("read for recovery", frame.segmentPath, errno: Sys.lastErrno) }
        }
        if present == frame.bytes.count && existing == frame.bytes { return false }
        for i in 0..<present where existing[i] != frame.bytes[i] && existing[i] != 0 {
            throw WALError(code: .corrupt, message: "\(frame.segmentPath) holds other bytes at offset "
                + "\(frame.offset + UInt64(i)) than the group-commit frame that should continue it: it is not the "
                + "history this shared log recorded; nothing was written and the shared log is kept",
                path: record.file, offset: record.position.offset)
        }
        try frame.bytes.withUnsafeBytes { try Sys.pwriteAll(fd, $0, at: frame.offset, path: frame.segmentPath) }
        return true
    }
}
