/// Where a record starts: its segment number and the byte offset of its header in that file.
public struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var segment: UInt32
    public var offset: UInt64

    public init(segment: UInt32, offset: UInt64) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }

    /// "00000001.wal+4096": the file name and offset to hand to `xxd -s`.
    public var description: String { "\(WALFormat.segmentName(segment))+\(offset)" }
}
