// The on-disk format of a flow write-ahead log, version 1.
//
// A log is a directory of segment files named "%08u.wal" (00000001.wal, 00000002.wal, ...), numbered
// without gaps. Records are only ever appended to the highest-numbered segment; a segment that has a
// successor is complete (the writer fdatasyncs it before it creates the next one).
//
// Segment file:
//
//     +---------------------------+------------------+------------------+-----------+-----+
//     | magic "FLOWWAL\0" (8)     | version u32 (4)  | segment u32 (4)  | record... | ... |
//     +---------------------------+------------------+------------------+-----------+-----+
//
//   All integers are little-endian. `segment` repeats the number in the file name, so a renamed or
//   copied file is recognised. A segment is created atomically: the 16-byte header is written to a
//   temporary file (mode 0600) that is fsynced, renamed into place, and the directory fsynced.
//
// Record (12-byte header, then the payload; no alignment padding, records follow each other directly):
//
//     +-------------------+-----------+----------------+--------------------+------------------+
//     | length u32 (4)    | type (1)  | reserved (3)=0 | masked CRC32C (4)  | payload (length) |
//     +-------------------+-----------+----------------+--------------------+------------------+
//
//   The CRC32C (Castagnoli) covers header bytes 0..<8 (length, type, reserved) and then the payload,
//   so a damaged length is caught by the checksum too, not only by luck. It is stored masked as in
//   LevelDB (rotate right by 15, add 0xa282ead8): the CRC of data that itself contains CRCs is then
//   not trivially related to them, and an all-zero header never checks out.
//
//   type: 1...127 are records; their meaning belongs to the caller. 0 is never written (a zero-filled
//   region must not parse as a record) and 128...255 are reserved for later versions of this format.
//   reserved: zero in version 1.
//   length: at most the writer's maxRecordSize (16 MiB by default) and never more than UInt32.max.
//   A record's position is (segment number, byte offset of its header in the segment file).
//
// Recovery: how a scan tells a crash-torn write from damage (shared by WALReader and WALWriter.open).
//
//   A crash can leave, at the end of the last segment only: a partial record header, a payload shorter
//   than its length, a record whose checksum fails, or zeros where the filesystem extended the file
//   but the data never reached the disk; and a last segment of at most 16 bytes that are zeros or a
//   prefix of its header when the rename reached the disk before the data did. Such a tail is cut off
//   by the writer (the cut bytes are kept in "<segment>.broken", then ".broken.1", ...); the reader
//   reports it.
//
//   Everything else is damage that the log cannot repair and that is never skipped silently; it is
//   reported with the file path and the byte offset:
//   - a bad record followed, at any later byte offset of the segment, by a whole record (valid type,
//     zero reserved bytes, valid checksum): the data after it was written, so it is not a torn write;
//   - any bad record or header in a segment that has a successor (it was synced before the successor
//     existed, so a crash cannot have torn it);
//   - a record with a valid checksum and type 0 or >= 128, or nonzero reserved bytes: it was written
//     like this, by another program or a newer version, and cutting it would destroy data;
//   - a header with the wrong magic, version or segment number that is not an incomplete creation;
//     a segment longer than its header is never one (the header is synced alone before any record
//     is appended), nor is a lone segment other than 1 (a checkpoint removes the segments before its
//     own only once that one is synced);
//   - a gap in the segment numbers.
//   A record with a valid checksum that is longer than the reader's maxRecordSize is reported as
//   .recordTooLarge (open with a larger limit) rather than cut.

#if canImport(Glibc)
import Glibc
#endif

enum WALFormat {
    static let version: UInt32 = 1
    static let magic: [UInt8] = Array("FLOWWAL".utf8) + [0]
    static let segmentHeaderSize = 16
    static let recordHeaderSize = 12
    /// Bytes of the record header that the checksum covers (length, type, reserved).
    static let checksummedHeaderBytes = 8
    static let validTypes: ClosedRange<UInt8> = 1...127
    static let segmentSuffix = ".wal"

    static func segmentName(_ number: UInt32) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits + segmentSuffix
    }

    /// The segment number a file name stands for, or nil if it is not a segment's name.
    static func segmentNumber(fileName name: String) -> UInt32? {
        guard name.hasSuffix(segmentSuffix), name.utf8.count >= 8 + segmentSuffix.utf8.count else { return nil }
        let digits = name.utf8.dropLast(segmentSuffix.utf8.count)
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let number = UInt32(String(decoding: digits, as: UTF8.self)),
              segmentName(number) == name
        else { return nil }
        return number
    }

    static func segmentHeader(_ number: UInt32) -> [UInt8] {
        var header = magic
        appendLE(version, to: &header)
        appendLE(number, to: &header)
        return header
    }

    static func appendLE(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Fills `header` (12 bytes) for a record and returns nothing; the checksum continues over the payload.
    static func encodeRecordHeader(
        into header: UnsafeMutableRawBufferPointer, type: UInt8, payload: UnsafeRawBufferPointer
    ) {
        header.storeBytes(of: UInt32(payload.count).littleEndian, toByteOffset: 0, as: UInt32.self)
        header.storeBytes(of: UInt32(type).littleEndian, toByteOffset: 4, as: UInt32.self)  // type + 3 zero bytes
        let crc = CRC32C.checksum(payload, seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[0..<8])))
        header.storeBytes(of: CRC32C.mask(crc).littleEndian, toByteOffset: 8, as: UInt32.self)
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadLE32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
