/// One whole record as read back from the log.
public struct WALRecord: Sendable, Equatable {
    public var type: UInt8
    public var payload: [UInt8]
    public var position: WALPosition
    /// Full path of the segment file that holds the record.
    public var file: String

    public init(type: UInt8, payload: [UInt8], position: WALPosition, file: String) {
        self.type = type
        self.payload = payload
        self.position = position
        self.file = file
    }
}

/// A record seen in place during a scan: the payload points into the segment's buffer and is
/// valid only during the visit. Lets a reader fold a long log without copying every payload.
public struct WALRecordView {
    public var type: UInt8
    public var payload: UnsafeRawBufferPointer
    public var position: WALPosition
    public var file: String
    /// Bytes of the log before this record: the earlier segments whole, and its offset in its own.
    public var logOffset: UInt64
    /// Bytes in all of the log's segments when the scan began. With `logOffset` it tells how far the
    /// scan has come, so a reader can size what it builds from a long log before building it.
    public var logSize: UInt64
}

/// Called for each whole record, in order, during a scan.
public typealias WALVisitor = (WALRecordView) throws -> Void

/// A torn tail: what was (writer) or would be (reader) cut from the end of the log.
public struct WALRepair: Sendable, CustomStringConvertible {
    /// The segment file that was cut (or removed, when `offset` is 0 and its header was incomplete).
    public var file: String
    /// Where the cut starts: the file's length after the repair.
    public var offset: UInt64
    public var bytesCut: UInt64
    /// Where the cut bytes were saved; "" when nothing was changed (WALReader).
    public var brokenCopy: String
    public var reason: String

    public init(file: String, offset: UInt64, bytesCut: UInt64, brokenCopy: String, reason: String) {
        self.file = file
        self.offset = offset
        self.bytesCut = bytesCut
        self.brokenCopy = brokenCopy
        self.reason = reason
    }

    public var description: String {
        if brokenCopy.isEmpty {
            return "torn tail in \(file): \(bytesCut) bytes at offset \(offset) are not a whole record (\(reason))"
        }
        return "repaired torn tail of \(file): cut \(bytesCut) bytes at offset \(offset) (\(reason)); "
            + "the cut bytes are saved in \(brokenCopy)"
    }
}

public struct WALReadResult: Sendable {
    public var records: [WALRecord]
    /// A torn tail the reader saw but left in place (it may be a write in progress); brokenCopy is "".
    public var tornTail: WALRepair?

    public init(records: [WALRecord], tornTail: WALRepair?) {
        self.records = records
        self.tornTail = tornTail
    }
}
