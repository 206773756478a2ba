@testable import FlowWAL
import Testing

/// The slicing-by-16 CRC against the slicing-by-8 table code it replaced (kept here as it was), so
/// every checksum already on disk still checks out.
struct CRC32CSlicingTests {
    @Test func slicingBy16MatchesTheSlicingBy8CodeItReplaced() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        data.withUnsafeBytes { all in
            // Every length up to 80 (each tail of the 16- and 8-byte loops) from several starts,
            // then random lengths, starts and seeds.
            for start in 0..<17 {
                for length in 0...80 {
                    let bytes = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    #expect(CRC32C.checksum(bytes) == SlicingBy8.checksum(bytes), "start \(start), length \(length)")
                }
            }
            for _ in 0..<2000 {
                let start = Int.random(in: 0..<64, using: &generator)
                let length = Int.random(in: 0...(all.count - start), using: &generator)
                let seed = UInt32.random(in: 0 ... .max, using: &generator)
                let bytes = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                #expect(CRC32C.checksum(bytes, seed: seed) == SlicingBy8.checksum(bytes, seed: seed),
                        "start \(start), length \(length), seed \(seed)")
            }
        }
    }

    @Test func aRecordHeaderWordThenItsPayloadIsTheChecksumOfBoth() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 7, 8, 15, 16, 17, 40, 100, 1000] {
            let header = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var word: UInt64 = 0
            for (i, byte) in header.enumerated() { word |= UInt64(byte) << (8 * UInt64(i)) }
            let split = payload.withUnsafeBytes { CRC32C.checksum(word: word, then: $0) }
            #expect(split == CRC32C.checksum(header + payload), "payload of \(length) bytes")
            #expect(split == SlicingBy8.checksum(header + payload), "payload of \(length) bytes")
        }
        #expect(CRC32C.checksum(word: 0, then: UnsafeRawBufferPointer(start: nil, count: 0))
            == CRC32C.checksum([UInt8](repeating: 0, count: 8)))
    }
}

/// FlowWAL's CRC-32C before slicing-by-16, unchanged.
private enum SlicingBy8 {
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[i] = crc
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        tables.withUnsafeBufferPointer { t in
            var crc = ~seed
            var index = 0
            let count = bytes.count
            guard let base = bytes.baseAddress else { return seed }
            while index + 8 <= count {
                let word = UInt64(littleEndian: (base + index).loadUnaligned(as: UInt64.self)) ^ UInt64(crc)
                crc = t[7 * 256 + Int(word & 0xFF)]
                    ^ t[6 * 256 + Int((word >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((word >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int((word >> 24) & 0xFF)]
                    ^ t[3 * 256 + Int((word >> 32) & 0xFF)]
                    ^ t[2 * 256 + Int((word >> 40) & 0xFF)]
                    ^ t[1 * 256 + Int((word >> 48) & 0xFF)]
                    ^ t[Int(word >> 56)]
                index += 8
            }
            while index < count {
                crc = (crc >> 8) ^ t[Int((crc ^ UInt32(bytes[index])) & 0xFF)]
                index += 1
            }
            return ~crc
        }
    }
}
