import FlowWAL
import Testing

/// The bytes on disk are the contract with every older and newer flow: pin them down exactly.
struct FormatTests {
    @Test func segmentHeaderAndRecordBytesMatchTheSpecification() throws {
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path)
        try writer.append(type: 5, payload: Array("abc".utf8))
        try writer.append(type: 127, payload: [])
        try writer.close()
        let bytes = try readBytes(segmentPath(dir.path, 1))

        #expect(Array(bytes[0..<16]) == Array("FLOWWAL".utf8) + [0, 1, 0, 0, 0, 1, 0, 0, 0])
        let first = Array(bytes[16..<31])
        #expect(Array(first[0..<8]) == [3, 0, 0, 0, 5, 0, 0, 0])
        // The masked CRC32C covers length, type and reserved bytes, then the payload.
        let crc = CRC32C.mask(CRC32C.checksum(Array(first[0..<8]) + Array("abc".utf8)))
        #expect(Array(first[8..<12]) == [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) })
        #expect(Array(first[12...]) == Array("abc".utf8))
        let second = Array(bytes[31...])
        #expect(second.count == 12)
        #expect(Array(second[0..<8]) == [0, 0, 0, 0, 127, 0, 0, 0])
    }

    @Test func anAllZeroRecordHeaderNeverChecksOut() {
        // Zero-filled tails must never parse as records of length 0.
        #expect(CRC32C.mask(CRC32C.checksum([UInt8](repeating: 0, count: 8))) != 0)
    }
}
