import FlowWAL
import Testing

/// Crash-torn writes at the end of the last segment: the reader reports them, the writer cuts them
/// back to the last whole record and keeps the cut bytes in "<segment>.broken".
struct TornTailTests {
    /// Puts `bytes` in place as the only segment of a fresh log directory.
    private func logWith(_ bytes: [UInt8], in dir: TempDir, name: String) throws -> String {
        let log = dir.sub(name)
        try makeLog(log, count: 0)
        try writeBytes(segmentPath(log, 1), bytes)
        return log
    }

    /// Opening repairs, the repair is where it should be, and the log then works as if never torn.
    private func expectRepaired(
        _ log: String, wholeRecords: Int, cutAt offset: Int, torn: [UInt8],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let segment = segmentPath(log, 1)
        let before = try readBytes(segment)
        let read = try WALReader.read(directory: log)
        #expect(read.records.count == wholeRecords, sourceLocation: sourceLocation)
        #expect(read.tornTail?.offset == UInt64(offset), sourceLocation: sourceLocation)
        #expect(read.tornTail?.brokenCopy == "", sourceLocation: sourceLocation)
        #expect(try readBytes(segment) == before, "the reader must not modify", sourceLocation: sourceLocation)

        let (writer, records, repair) = try openLog(log)
        #expect(records.count == wholeRecords, sourceLocation: sourceLocation)
        #expect(records.map(\.payload) == (0..<wholeRecords).map { payload($0) }, sourceLocation: sourceLocation)
        let fix = try #require(repair, sourceLocation: sourceLocation)
        #expect(fix.file == segment, sourceLocation: sourceLocation)
        #expect(fix.offset == UInt64(offset), sourceLocation: sourceLocation)
        #expect(fix.bytesCut == UInt64(torn.count), sourceLocation: sourceLocation)
        #expect(fix.brokenCopy == segment + ".broken", sourceLocation: sourceLocation)
        #expect(try readBytes(fix.brokenCopy) == torn, sourceLocation: sourceLocation)
        #expect(try fileSize(segment) == offset, sourceLocation: sourceLocation)

        try writer.append(type: 2, payload: payload(1000))
        try writer.append(type: 2, payload: payload(1001))
        try writer.close()
        let (again, after, noRepair) = try openLog(log)
        #expect(noRepair == nil, sourceLocation: sourceLocation)
        #expect(after.count == wholeRecords + 2, sourceLocation: sourceLocation)
        #expect(after.last?.payload == payload(1001), sourceLocation: sourceLocation)
        try again.close()
    }

    @Test func tornAtEveryByteOfTheLastRecord() throws {
        let dir = TempDir()
        let source = dir.sub("source")
        let positions = try makeLog(source, count: 5)
        let whole = try readBytes(segmentPath(source, 1))
        let start = Int(positions[4].offset)
        #expect(whole.count == start + recordHeaderSize + 40)
        for length in (start + 1)..<whole.count {
            let log = try logWith(Array(whole[..<length]), in: dir, name: "cut\(length)")
            try expectRepaired(log, wholeRecords: 4, cutAt: start, torn: Array(whole[start..<length]))
        }
    }

    @Test func badChecksumInTheLastRecordIsATornTail() throws {
        let dir = TempDir()
        let source = dir.sub("source")
        let positions = try makeLog(source, count: 3)
        var bytes = try readBytes(segmentPath(source, 1))
        bytes[bytes.count - 1] ^= 0x40
        let start = Int(positions[2].offset)
        let log = try logWith(bytes, in: dir, name: "log")
        let read = try WALReader.read(directory: log)
        #expect(read.tornTail?.reason.contains("checksum") == true)
        try expectRepaired(log, wholeRecords: 2, cutAt: start, torn: Array(bytes[start...]))
    }

    @Test func oversizedLengthAtTheTailIsATornTail() throws {
        let dir = TempDir()
        let source = dir.sub("source")
        let positions = try makeLog(source, count: 3)
        var bytes = try readBytes(segmentPath(source, 1))
        let start = Int(positions[2].offset)
        bytes.replaceSubrange(start..<(start + 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        let log = try logWith(bytes, in: dir, name: "log")
        try expectRepaired(log, wholeRecords: 2, cutAt: start, torn: Array(bytes[start...]))
    }

    @Test func zeroFilledTailIsCut() throws {
        let dir = TempDir()
        let source = dir.sub("source")
        try makeLog(source, count: 3)
        let whole = try readBytes(segmentPath(source, 1))
        let zeros = [UInt8](repeating: 0, count: 4096)
        let log = try logWith(whole + zeros, in: dir, name: "log")
        #expect(try WALReader.read(directory: log).tornTail?.reason.contains("zero") == true)
        try expectRepaired(log, wholeRecords: 3, cutAt: whole.count, torn: zeros)
    }

    @Test func zeroFilledTailAfterAPartialRecord() throws {
        let dir = TempDir()
        let source = dir.sub("source")
        let positions = try makeLog(source, count: 3)
        var bytes = try readBytes(segmentPath(source, 1))
        let start = Int(positions[2].offset)
        bytes.replaceSubrange((start + 20)..., with: [UInt8](repeating: 0, count: 500))
        let log = try logWith(bytes, in: dir, name: "log")
        try expectRepaired(log, wholeRecords: 2, cutAt: start, torn: Array(bytes[start...]))
    }

    @Test func largeGarbageTailIsCutWithoutAQuadraticSearch() throws {
        // Stale blocks of other files can appear at the tail after a crash on some filesystems.
        let dir = TempDir()
        let source = dir.sub("source")
        try makeLog(source, count: 3)
        let whole = try readBytes(segmentPath(source, 1))
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<(2 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let log = try logWith(whole + garbage, in: dir, name: "log")
        let start = ContinuousClock.now
        try expectRepaired(log, wholeRecords: 3, cutAt: whole.count, torn: garbage)
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func secondRepairKeepsTheFirstBrokenCopy() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 2)
        let segment = segmentPath(dir.path, 1)
        for round in 0..<3 {
            try writeBytes(segment, try readBytes(segment) + [UInt8(round + 1), 0, 0])
            let (writer, _, repair) = try openLog(dir.path)
            #expect(repair?.brokenCopy == segment + (round == 0 ? ".broken" : ".broken.\(round)"))
            try writer.close()
        }
        #expect(try readBytes(segment + ".broken") == [1, 0, 0])
        #expect(try readBytes(segment + ".broken.2") == [3, 0, 0])
    }
}
