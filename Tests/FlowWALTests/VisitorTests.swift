import FlowWAL
import Testing

/// The in-place scan that resumes use must see exactly what the copying scan sees.
@Suite struct VisitorTests {
    @Test func theVisitorSeesTheSameRecordsAsTheCopyingRead() throws {
        let dir = TempDir()
        var options = WALOptions()
        options.segmentSize = 4096
        let writer = try WALWriter.create(directory: dir.path, options: options)
        for i in 0..<500 { try writer.append(type: UInt8(1 + i % 100), payload: Array(repeating: UInt8(i & 0xff), count: i % 37)) }
        try writer.close()
        let copied = try WALReader.read(directory: dir.path).records
        var seen: [(UInt8, [UInt8], WALPosition)] = []
        let torn = try WALReader.read(directory: dir.path) { r in seen.append((r.type, Array(r.payload), r.position)) }
        #expect(torn == nil)
        #expect(seen.count == copied.count)
        #expect(zip(seen, copied).allSatisfy { $0.0 == $1.type && $0.1 == $1.payload && $0.2 == $1.position })
        var reopened = 0
        let (w2, records, repair) = try WALWriter.open(directory: dir.path, options: options) { _ in reopened += 1 }
        #expect(records.isEmpty && repair == nil && reopened == 500)
        try w2.close()
    }

    @Test func aVisitorThatThrowsStopsTheOpenBeforeAnyRepair() throws {
        struct Refused: Error {}
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path)
        try writer.append(type: 1, payload: [1, 2, 3])
        try writer.append(type: 1, payload: [4, 5, 6])
        try writer.close()
        let segment = segmentPath(dir.path, 1)
        let whole = try readBytes(segment)
        try writeBytes(segment, Array(whole.dropLast(2)))  // a torn tail the open would cut
        let before = try readBytes(segment)
        #expect(throws: Refused.self) {
            _ = try WALWriter.open(directory: dir.path, options: WALOptions()) { _ in throw Refused() }
        }
        #expect(try readBytes(segment) == before, "nothing was repaired")
    }
}
