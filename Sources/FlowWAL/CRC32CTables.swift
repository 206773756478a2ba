/// The sixteen 256-entry tables of slicing-by-16 CRC-32C, table k at [k * 256 ..< (k + 1) * 256];
/// table 0 is the bytewise table. Table k advances a byte through k further zero bytes, so the
/// byte at position i of a 16-byte block is looked up in table 15 - i.
///
/// Kept behind a raw pointer, allocated once and never freed, rather than in an array: the
/// checksum runs twice per record, and an array global costs a retain, a release and bounds
/// checks on every call. Immutable after `init`, hence `@unchecked Sendable`.
struct CRC32CTables: @unchecked Sendable {
    static let count = 16
    static let shared = CRC32CTables()

    let base: UnsafePointer<UInt32>

    private init() {
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: Self.count * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ CRC32C.polynomial : crc >> 1 }
            t[i] = crc
        }
        for k in 1..<Self.count {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        base = UnsafePointer(t)
    }
}
