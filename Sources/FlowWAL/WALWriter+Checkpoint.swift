#if canImport(Glibc)
import Glibc
#endif

/// What a checkpoint removed.
public struct WALCheckpoint: Sendable, Equatable {
    /// Where the checkpoint record is: the first record of its segment.
    public var position: WALPosition
    public var segmentsRemoved: Int
    public var bytesRemoved: UInt64
}

extension WALWriter {
    /// Bounds a log whose records fold into a state: `payload` (the whole state, as the caller
    /// encodes it) becomes the first record of a new segment, is made durable, and then every
    /// older segment is removed, oldest first.
    ///
    /// A crash at any point leaves a valid log: before the checkpoint is synced, the old
    /// segments are all there and a scan cuts the unfinished new one back; after, the old
    /// segments still present are a gap-free run in front of the checkpoint. So a reader must
    /// fold from the *last* checkpoint it meets and ignore the records before it, which may no
    /// longer make sense on their own (their beginning may be gone).
    @discardableResult
    public func checkpoint(type: UInt8, payload: [UInt8]) throws -> WALCheckpoint {
        try checkUsable()
        // An empty current segment (just rolled, or fresh) can take the checkpoint itself.
        if end > UInt64(WALFormat.segmentHeaderSize) { try roll() }
        let position = try append(type: type, payload: payload)
        try sync()
        var removed = 0
        var bytes: UInt64 = 0
        let older = try Sys.listDirectory(directory).compactMap(WALFormat.segmentNumber(fileName:))
            .filter { $0 < position.segment }.sorted()
        for number in older {
            let path = Sys.join(directory, WALFormat.segmentName(number))
            bytes += Sys.fileSize(path) ?? 0
            try Sys.unlink(path)
            removed += 1
        }
        if removed > 0 { try AtomicFile.fsyncDirectory(directory) }
        return WALCheckpoint(position: position, segmentsRemoved: removed, bytesRemoved: bytes)
    }
}
