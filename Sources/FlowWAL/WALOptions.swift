/// When `WALWriter.commit()` makes appended records durable.
public enum SyncPolicy: String, Sendable, CaseIterable {
    /// fdatasync on every commit: a committed record survives a crash or power loss.
    case always
    /// fdatasync on a commit when the last sync is older than `batchInterval`: fewer syncs, but a crash
    /// may lose the records appended since the last sync (call sync() when the caller goes idle).
    case batch
    /// Never sync on commit (tests, throwaway runs); the kernel writes the data back when it likes.
    case none
}

public struct WALOptions: Sendable {
    public var syncPolicy: SyncPolicy = .always
    /// For `.batch`: commit() syncs if the last sync is older than this.
    public var batchInterval: Duration = .milliseconds(10)
    /// An append that would take a segment holding records past this size goes to a new segment.
    public var segmentSize: Int = 64 << 20
    /// The largest payload append accepts, and the largest length a scan believes.
    public var maxRecordSize: Int = 16 << 20
    /// For suspending commits (commitSuspending, syncSuspending): logs that commit at the same time
    /// share one fdatasync of a shared log in `sharedLogDirectory` (GroupCommit). Off (the default),
    /// or without a shared log directory: every log fdatasyncs its own segment.
    public var groupCommit = false
    /// Where group commit's shared logs live (one directory for every log of a flow home). An open
    /// for writing first recovers the shared logs of dead processes found there
    /// (SharedLogRecovery), whether or not this writer uses group commit itself.
    public var sharedLogDirectory: String?

    public init() {}
}

extension WALOptions {
    /// maxRecordSize limited to what the u32 length field and the address space can hold.
    var effectiveMaxRecordSize: Int { Self.clampRecordSize(maxRecordSize) }

    static func clampRecordSize(_ size: Int) -> Int {
        min(max(size, 0), Int(UInt32.max) - WALFormat.recordHeaderSize)
    }
}
