import FlowWAL
import Testing

struct SegmentTests {
    @Test func rollsOverAndReadsAcrossSegments() throws {
        var options = WALOptions()
        options.segmentSize = 1000
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 100, size: 90, options: options)
        let segments = Set(positions.map(\.segment))
        #expect(segments == Set(1...positions.last!.segment))
        #expect(segments.count >= 10)
        for number in segments {
            let bytes = try readBytes(segmentPath(dir.path, Int(number)))
            // Each holds whole records and stays within segmentSize (a record never straddles files).
            #expect(bytes.count <= options.segmentSize)
            #expect(Array(bytes[0..<8]) == Array("FLOWWAL".utf8) + [0])
            #expect(Array(bytes[8..<16]) == [1, 0, 0, 0, UInt8(number), 0, 0, 0])
        }
        let read = try WALReader.read(directory: dir.path)
        #expect(read.tornTail == nil)
        #expect(read.records.map(\.payload) == (0..<100).map { payload($0, size: 90) })
        #expect(read.records.map(\.position) == positions)
        #expect(read.records.last?.file == segmentPath(dir.path, Int(positions.last!.segment)))
        for (earlier, later) in zip(positions, positions.dropFirst()) { #expect(earlier < later) }
    }

    @Test func reopenAppendsToTheLastSegmentAndKeepsRolling() throws {
        var options = WALOptions()
        options.segmentSize = 500
        let dir = TempDir()
        let first = try makeLog(dir.path, count: 20, options: options)
        let (writer, records, _) = try openLog(dir.path, options: options)
        #expect(records.count == 20)
        let next = try writer.append(type: 1, payload: payload(20))
        #expect(next > first.last!)
        for index in 21..<40 { try writer.append(type: 1, payload: payload(index)) }
        try writer.close()
        let read = try WALReader.read(directory: dir.path).records
        #expect(read.map(\.payload) == (0..<40).map { payload($0) })
    }

    @Test func recordLargerThanTheSegmentSizeGetsASegmentOfItsOwn() throws {
        var options = WALOptions()
        options.segmentSize = 100
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path, options: options)
        let a = try writer.append(type: 1, payload: payload(0, size: 500))
        let b = try writer.append(type: 1, payload: payload(1, size: 500))
        try writer.close()
        #expect(a == WALPosition(segment: 1, offset: 16))
        #expect(b == WALPosition(segment: 2, offset: 16))
        #expect(try WALReader.read(directory: dir.path).records.count == 2)
    }

    @Test func otherFilesInTheDirectoryAreIgnored() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 3)
        try writeBytes(dir.sub("lock"), Array("pid=1".utf8))
        try writeBytes(dir.sub("00000001.wal.broken"), [1, 2, 3])
        try writeBytes(dir.sub("1.wal"), [9])
        try writeBytes(dir.sub("notes.txt"), [9])
        #expect(try WALReader.read(directory: dir.path).records.count == 3)
    }
}
