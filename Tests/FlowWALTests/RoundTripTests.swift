import FlowWAL
import Testing

struct RoundTripTests {
    @Test func manyRecordsIncludingEmptyAndMaxSize() throws {
        let dir = TempDir()
        var options = WALOptions()
        options.maxRecordSize = 1 << 20
        let writer = try WALWriter.create(directory: dir.path, options: options)
        var expected: [(UInt8, [UInt8])] = [(1, []), (127, payload(0, size: options.maxRecordSize))]
        for index in 0..<1000 { expected.append((UInt8(index % 127 + 1), payload(index, size: index % 300))) }
        expected.append((2, []))
        for (type, bytes) in expected { try writer.append(type: type, payload: bytes) }
        try writer.commit()
        try writer.close()

        for records in [try WALReader.read(directory: dir.path, maxRecordSize: 1 << 20).records,
                        try openLog(dir.path, options: options).records] {
            #expect(records.count == expected.count)
            for (record, (type, bytes)) in zip(records, expected) {
                #expect(record.type == type)
                #expect(record.payload == bytes)
                #expect(record.file == segmentPath(dir.path, 1))
            }
        }
    }

    @Test func positionsAreMonotonicAndMatchTheReadBack() throws {
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 200, size: 17)
        #expect(positions.first == WALPosition(segment: 1, offset: UInt64(segmentHeaderSize)))
        for (earlier, later) in zip(positions, positions.dropFirst()) {
            #expect(earlier < later)
            #expect(later.offset - earlier.offset == UInt64(recordHeaderSize + 17))
        }
        let records = try WALReader.read(directory: dir.path).records
        #expect(records.map(\.position) == positions)
    }

    @Test func reopenAndAppendKeepsEverything() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 10)
        for round in 1...3 {
            let (writer, records, repair) = try openLog(dir.path)
            #expect(repair == nil)
            #expect(records.count == 10 * round)
            for index in 0..<10 { try writer.append(type: 3, payload: payload(100 * round + index)) }
            try writer.close()
        }
        let records = try WALReader.read(directory: dir.path).records
        #expect(records.count == 40)
        #expect(records[39].payload == payload(309))
        #expect(records.map(\.position) == records.map(\.position).sorted())
    }

    @Test func rawBufferAppendMatchesArrayAppend() throws {
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path)
        let bytes = payload(5, size: 100)
        try writer.append(type: 9, payload: bytes)
        _ = try bytes.withUnsafeBytes { try writer.append(type: 9, payload: $0) }
        try writer.close()
        let records = try WALReader.read(directory: dir.path).records
        #expect(records.map(\.payload) == [bytes, bytes])
    }

    @Test func positionAndRepairDescriptions() {
        #expect(WALPosition(segment: 1, offset: 4096).description == "00000001.wal+4096")
        #expect(WALPosition(segment: 2, offset: 16) > WALPosition(segment: 1, offset: 99999))
        let repair = WALRepair(file: "/x/00000001.wal", offset: 40, bytesCut: 7, brokenCopy: "", reason: "why")
        #expect(repair.description.contains("/x/00000001.wal"))
        #expect(repair.description.contains("40"))
    }
}
