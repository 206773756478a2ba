import FlowWAL
import Testing

/// Bit-at-a-time CRC-32C, the definition the table-driven code must agree with.
private func referenceCRC32C(_ bytes: some Sequence<UInt8>, seed: UInt32 = 0) -> UInt32 {
    var crc = ~seed
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}

struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        // RFC 3720 B.4 (iSCSI) test vectors.
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func slicingMatchesBitwiseReferenceOnRandomData() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for _ in 0..<300 {
            // Random start and length exercise unaligned loads and every tail length.
            let start = Int.random(in: 0..<64, using: &generator)
            let length = Int.random(in: 0...(data.count - start), using: &generator)
            let slice = data[start..<(start + length)]
            let fast = slice.withUnsafeBytes { CRC32C.checksum($0) }
            #expect(fast == referenceCRC32C(slice))
        }
    }

    @Test func seedChainsChecksums() {
        let first = Array("hello, ".utf8)
        let second = Array("write-ahead log".utf8)
        let chained = second.withUnsafeBytes { CRC32C.checksum($0, seed: CRC32C.checksum(first)) }
        #expect(chained == CRC32C.checksum(first + second))
        #expect(chained == referenceCRC32C(second, seed: referenceCRC32C(first)))
    }

    @Test func maskUnmaskRoundTrip() {
        for value: UInt32 in [0, 1, 0xFFFF_FFFF, 0xE306_9283, 0x8000_0000, 0x1234_5678] {
            #expect(CRC32C.unmask(CRC32C.mask(value)) == value)
            #expect(CRC32C.mask(value) != value)
        }
        for _ in 0..<1000 {
            let value = UInt32.random(in: 0 ... .max)
            #expect(CRC32C.unmask(CRC32C.mask(value)) == value)
        }
        // LevelDB's definition, spelled out once.
        let crc: UInt32 = 0xE306_9283
        #expect(CRC32C.mask(crc) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }
}
