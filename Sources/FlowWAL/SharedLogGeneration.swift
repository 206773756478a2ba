#if canImport(Glibc)
import Glibc
#endif

/// One generation of a process's group-commit shared log: `DIR/<pid>-<random>/`, a WAL of frames
/// (SharedLogFrame) plus a lock file that the process holds for as long as the generation lives, so
/// that recovery (SharedLogRecovery) never touches a generation whose owner is running.
///
/// @unchecked Sendable: it has one owner at a time, handed over whole: the leader of GroupCommit's
/// rounds (one at a time), then the thread that retires it.
final class SharedLogGeneration: @unchecked Sendable {
    static let lockName = "lock"
    /// Where a generation is made before it has its lock: recovery removes such leftovers only.
    static let stagingPrefix = ".new-"

    let directory: String
    let parent: String
    private let writer: WALWriter
    private let lock: FileLock
    /// Every segment that a frame here came from: retiring makes each durable on its own.
    private var segments: Set<String> = []

    private init(directory: String, parent: String, writer: WALWriter, lock: FileLock) {
        self.directory = directory
        self.parent = parent
        self.writer = writer
        self.lock = lock
        self.zeroedEnd = writer.endPosition.offset
    }

    /// Bytes of frames so far.
    var size: UInt64 { writer.endPosition.offset }

    /// A new generation in `parent` (made if missing). It is made under a staging name and renamed
    /// only once locked, so a recovery that lists `parent` never sees it unlocked.
    static func create(in parent: String) throws -> SharedLogGeneration {
        try Sys.makeDirectories(parent, mode: 0o700)
        let name = "\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let staging = Sys.join(parent, stagingPrefix + name)
        guard mkdir(staging, 0o700) == 0 else { throw WALError.io("create directory", staging, errno: Sys.lastErrno) }
        let lock = try FileLock.acquire(path: Sys.join(staging, lockName), extra: "group-commit shared log")
        let directory = Sys.join(parent, name)
        try Sys.rename(staging, directory)
        try AtomicFile.fsyncDirectory(parent)
        var options = WALOptions()
        options.syncPolicy = .always
        // One segment per generation: a generation is retired long before this size.
        options.segmentSize = Int(Int32.max)
        let writer = try WALWriter.create(directory: directory, options: options)
        return SharedLogGeneration(directory: directory, parent: parent, writer: writer, lock: lock)
    }

    /// Appends a round's frames with one write. The file is kept written with zeros ahead of its
    /// end, so a round's fdatasync overwrites blocks the file already has and writes no metadata;
    /// a scan reads the zeros after the last frame as a torn tail.
    func append(frames: [[UInt8]], from segments: [String]) throws {
        let bytes = frames.reduce(0) { $0 + WALFormat.recordHeaderSize + $1.count }
        while writer.endPosition.offset + UInt64(bytes) > zeroedEnd {
            try Self.zeros.withUnsafeBytes { try Sys.pwriteAll(writer.fd, $0, at: zeroedEnd, path: writer.segmentPath) }
            zeroedEnd += UInt64(Self.zeros.count)
        }
        try writer.append(type: SharedLogFrame.recordType, payloads: frames)
        self.segments.formUnion(segments)
    }

    /// Written ahead of the end of the shared log, one chunk at a time.
    static let zeros = [UInt8](repeating: 0, count: 1 << 20)
    /// The file's length: where the zeros written ahead end.
    private var zeroedEnd: UInt64

    func sync() throws { try writer.sync() }

    /// Makes every segment covered here durable on its own (an fdatasync each), then removes the
    /// generation: its frames are no longer needed. A segment gone meanwhile was removed by its log
    /// (only ever after its records were durable) or with its log. On an error the generation stays
    /// on disk, and once this process lets go of its lock, the next open of a log recovers it.
    func retire() throws {
        try writer.close()
        try SegmentSyncs.run(Array(segments))
        try Self.remove(directory, parent: parent, ownerLock: lock)
    }

    /// Removes a generation's directory under the shared log's recovery lock, so that no recovery
    /// is looking at it meanwhile; `ownerLock` is let go of once the directory is gone.
    static func remove(_ directory: String, parent: String, ownerLock: FileLock) throws {
        let recovery = try FileLock.acquire(path: Sys.join(parent, SharedLogRecovery.lockName), wait: true)
        defer { recovery.release() }
        try removeUnlocked(directory, parent: parent)
        ownerLock.release()
    }

    /// The same, for a caller that already holds the recovery lock.
    static func removeUnlocked(_ directory: String, parent: String) throws {
        guard Sys.exists(directory) else { return }
        for name in try Sys.listDirectory(directory) { try Sys.unlink(Sys.join(directory, name)) }
        guard rmdir(directory) == 0 || Sys.lastErrno == ENOENT else {
            throw WALError.io("remove directory", directory, errno: Sys.lastErrno)
        }
        try AtomicFile.fsyncDirectory(parent)
    }
}
