/// Read-only access to a log, e.g. for `flow status` while another process may be appending.
public enum WALReader {
    /// Scans every segment and returns the whole records; never modifies anything. A torn tail is
    /// reported in `tornTail` (it may be a write in progress by another process); damage anywhere else
    /// throws .corrupt with the file and byte offset.
    public static func read(directory: String, maxRecordSize: Int = 16 << 20) throws -> WALReadResult {
        let scan = try WALScanner.scan(directory: directory, maxRecordSize: maxRecordSize)
        let torn = scan.tail.map {
            WALRepair(file: $0.path, offset: $0.offset, bytesCut: $0.bytesCut, brokenCopy: "", reason: $0.reason)
        }
        return WALReadResult(records: scan.records, tornTail: torn)
    }

    /// The same scan, handing each record to `visit` in place instead of collecting copies; returns
    /// the torn tail, if any.
    public static func read(directory: String, maxRecordSize: Int = 16 << 20, visit: @escaping WALVisitor) throws -> WALRepair? {
        let scan = try WALScanner.scan(directory: directory, maxRecordSize: maxRecordSize, visit: visit)
        return scan.tail.map {
            WALRepair(file: $0.path, offset: $0.offset, bytesCut: $0.bytesCut, brokenCopy: "", reason: $0.reason)
        }
    }
}
