import FlowWAL
import Testing

/// Damage that a crash cannot cause: reported with the file and byte offset, never cut or skipped,
/// and the files are left exactly as they were.
struct CorruptionTests {
    /// Both the reader and the writer refuse the log at `offset` of `file`, and change nothing.
    private func expectCorrupt(
        _ log: String, file: String, offset: UInt64, mentioning words: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try readBytes(file)
        let readError = expectError(.corrupt, sourceLocation: sourceLocation) { _ = try WALReader.read(directory: log) }
        let openError = expectError(.corrupt, sourceLocation: sourceLocation) { _ = try openLog(log) }
        for error in [readError, openError] {
            #expect(error?.path == file, sourceLocation: sourceLocation)
            #expect(error?.offset == offset, sourceLocation: sourceLocation)
            #expect(error?.message.contains(file) == true, sourceLocation: sourceLocation)
            #expect(error?.message.contains("offset \(offset)") == true, sourceLocation: sourceLocation)
            for word in words { #expect(error?.message.contains(word) == true, "\(word)", sourceLocation: sourceLocation) }
        }
        #expect(try readBytes(file) == before, "must not be modified", sourceLocation: sourceLocation)
        #expect(!fileExists(file + ".broken"), sourceLocation: sourceLocation)
    }

    @Test func badChecksumInTheMiddle() throws {
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 5)
        let file = segmentPath(dir.path, 1)
        var bytes = try readBytes(file)
        bytes[Int(positions[2].offset) + recordHeaderSize + 3] ^= 0x01
        try writeBytes(file, bytes)
        try expectCorrupt(dir.path, file: file, offset: positions[2].offset, mentioning: ["checksum"])
    }

    @Test func badLengthInTheMiddle() throws {
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 5)
        let file = segmentPath(dir.path, 1)
        let original = try readBytes(file)
        let at = Int(positions[1].offset)
        // Too large, past the end of the file, and plausible but wrong (the checksum covers the length).
        for length: [UInt8] in [[0xFF, 0xFF, 0xFF, 0x7F], [0x00, 0x01, 0x00, 0x00], [30, 0, 0, 0]] {
            var bytes = original
            bytes.replaceSubrange(at..<(at + 4), with: length)
            try writeBytes(file, bytes)
            try expectCorrupt(dir.path, file: file, offset: positions[1].offset)
        }
    }

    @Test func badTypeWithValidChecksumIsCorruptEvenAtTheTail() throws {
        for type: UInt8 in [0, 128, 255] {
            let dir = TempDir()
            let positions = try makeLog(dir.path, count: 3)
            let file = segmentPath(dir.path, 1)
            var bytes = try readBytes(file)
            writeRecord(into: &bytes, at: Int(positions[2].offset), type: type, payload: payload(2))
            try writeBytes(file, bytes)
            try expectCorrupt(dir.path, file: file, offset: positions[2].offset, mentioning: ["type \(type)"])
        }
    }

    @Test func nonzeroReservedBytesWithValidChecksumAreCorrupt() throws {
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 3)
        let file = segmentPath(dir.path, 1)
        var bytes = try readBytes(file)
        writeRecord(into: &bytes, at: Int(positions[1].offset), type: 1, reserved: [0, 1, 0], payload: payload(1))
        try writeBytes(file, bytes)
        try expectCorrupt(dir.path, file: file, offset: positions[1].offset, mentioning: ["reserved"])
    }

    @Test func garbageFollowedByAValidRecordIsCorrupt() throws {
        // The last record is damaged and a whole record follows at an odd offset: data was written
        // after the damage, so it is not a torn write.
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 3)
        let file = segmentPath(dir.path, 1)
        var bytes = try readBytes(file)
        let at = Int(positions[2].offset)
        bytes[at + recordHeaderSize] ^= 0xFF
        writeRecord(into: &bytes, at: bytes.count + 5, type: 4, payload: payload(9))
        try writeBytes(file, bytes)
        try expectCorrupt(dir.path, file: file, offset: UInt64(at), mentioning: ["follows"])
    }

    @Test func damageInANonLastSegmentIsCorrupt() throws {
        var options = WALOptions()
        options.segmentSize = 300
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 20, options: options)
        #expect(positions.last!.segment >= 3)
        let file = segmentPath(dir.path, 1)
        let original = try readBytes(file)
        let lastInFirst = positions.filter { $0.segment == 1 }.last!
        // A torn-looking tail (cut mid-record), a bad checksum in its last record, and trailing zeros.
        var badChecksum = original
        badChecksum[badChecksum.count - 1] ^= 0x10
        let damaged: [([UInt8], UInt64)] = [
            (Array(original.dropLast(5)), lastInFirst.offset),
            (badChecksum, lastInFirst.offset),
            (original + [UInt8](repeating: 0, count: 64), UInt64(original.count)),
        ]
        for (bytes, offset) in damaged {
            try writeBytes(file, bytes)
            try expectCorrupt(dir.path, file: file, offset: offset, mentioning: ["later segment"])
        }
    }

    @Test func validRecordLargerThanTheReadersLimitIsNotCut() throws {
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 3, size: 5000)
        let error = expectError(.recordTooLarge) { _ = try WALReader.read(directory: dir.path, maxRecordSize: 1000) }
        #expect(error?.offset == positions[0].offset)
        var options = WALOptions()
        options.maxRecordSize = 1000
        expectError(.recordTooLarge) { _ = try openLog(dir.path, options: options) }
        #expect(try WALReader.read(directory: dir.path).records.count == 3)
    }

    @Test func missingSegmentInTheMiddleIsCorrupt() throws {
        var options = WALOptions()
        options.segmentSize = 200
        let dir = TempDir()
        try makeLog(dir.path, count: 20, options: options)
        try removeFile(segmentPath(dir.path, 2))
        let error = expectError(.corrupt) { _ = try WALReader.read(directory: dir.path) }
        #expect(error?.message.contains("00000002.wal") == true)
        expectError(.corrupt) { _ = try openLog(dir.path) }
    }
}
