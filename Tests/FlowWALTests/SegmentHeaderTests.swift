import FlowWAL
import Testing

/// A segment whose header is missing or wrong: an unfinished creation of the last segment is removed
/// (kept as .broken), anything else is corruption.
struct SegmentHeaderTests {
    private func expectUnfinishedLastSegmentRemoved(_ content: [UInt8]) throws {
        var options = WALOptions()
        options.segmentSize = 200
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 6, options: options)
        let last = Int(positions.last!.segment)
        let newSegment = segmentPath(dir.path, last + 1)
        try writeBytes(newSegment, content)

        let read = try WALReader.read(directory: dir.path)
        #expect(read.records.count == 6)
        #expect(read.tornTail?.file == newSegment)
        #expect(read.tornTail?.offset == 0)
        #expect(read.tornTail?.bytesCut == UInt64(content.count))
        #expect(fileExists(newSegment), "the reader must not remove it")

        let (writer, records, repair) = try openLog(dir.path, options: options)
        #expect(records.count == 6)
        #expect(repair?.file == newSegment)
        #expect(repair?.brokenCopy == newSegment + ".broken")
        #expect(try readBytes(newSegment + ".broken") == content)
        #expect(!fileExists(newSegment))
        for index in 6..<12 { try writer.append(type: 1, payload: payload(index)) }
        try writer.close()
        let after = try WALReader.read(directory: dir.path)
        #expect(after.tornTail == nil)
        #expect(after.records.map(\.payload) == (0..<12).map { payload($0) })
    }

    @Test func emptyLastSegmentIsRemoved() throws {
        try expectUnfinishedLastSegmentRemoved([])
    }

    @Test func lastSegmentShorterThanItsHeaderIsRemoved() throws {
        try expectUnfinishedLastSegmentRemoved(Array("FLOWWAL".utf8))
    }

    @Test func zeroFilledLastSegmentIsRemoved() throws {
        try expectUnfinishedLastSegmentRemoved([UInt8](repeating: 0, count: 16))
    }

    @Test func onlySegmentUnfinishedIsRecreated() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 0)
        try writeBytes(segmentPath(dir.path, 1), [UInt8](repeating: 0, count: 10))
        #expect(try WALReader.read(directory: dir.path).tornTail != nil)
        let (writer, records, repair) = try openLog(dir.path)
        #expect(records.isEmpty)
        #expect(repair?.bytesCut == 10)
        try writer.append(type: 1, payload: payload(0))
        try writer.close()
        #expect(try WALReader.read(directory: dir.path).records.map(\.payload) == [payload(0)])
    }

    private func expectCorruptHeader(
        _ mutate: (inout [UInt8]) -> Void, mentioning word: String, segments: Int = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var options = WALOptions()
        options.segmentSize = 200
        let dir = TempDir()
        try makeLog(dir.path, count: segments == 1 ? 2 : 10, options: options)
        let file = segmentPath(dir.path, 1)
        var bytes = try readBytes(file)
        mutate(&bytes)
        try writeBytes(file, bytes)
        for error in [expectError(.corrupt) { _ = try WALReader.read(directory: dir.path) },
                      expectError(.corrupt) { _ = try openLog(dir.path) }] {
            #expect(error?.path == file, sourceLocation: sourceLocation)
            #expect(error?.offset == 0, sourceLocation: sourceLocation)
            #expect(error?.message.contains(word) == true, "\(error?.message ?? "")", sourceLocation: sourceLocation)
        }
        #expect(try readBytes(file) == bytes, sourceLocation: sourceLocation)
    }

    @Test func badMagicIsCorrupt() throws {
        try expectCorruptHeader({ $0[0] = UInt8(ascii: "X") }, mentioning: "FLOWWAL")
    }

    @Test func newerFormatVersionIsCorrupt() throws {
        try expectCorruptHeader({ $0[8] = 2 }, mentioning: "version 2")
    }

    @Test func segmentNumberMismatchIsCorrupt() throws {
        try expectCorruptHeader({ $0[12] = 7 }, mentioning: "renamed")
    }

    @Test func truncatedNonLastSegmentIsCorrupt() throws {
        try expectCorruptHeader({ $0 = Array($0[0..<10]) }, mentioning: "shorter", segments: 3)
    }

    @Test func zeroedNonLastSegmentIsCorrupt() throws {
        try expectCorruptHeader({ $0 = [UInt8](repeating: 0, count: $0.count) }, mentioning: "not the last", segments: 3)
    }
}
