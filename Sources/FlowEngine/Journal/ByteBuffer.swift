#if canImport(Glibc)
import Glibc
#endif

/// Little-endian varint writer for journal payloads: no Foundation, no per-field allocation.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func uvarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func varint(_ v: Int64) {
        uvarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    mutating func int(_ v: Int) { varint(Int64(v)) }

    mutating func fixed64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    mutating func raw(_ b: some Collection<UInt8>) {
        uvarint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { raw($0) }
    }

    mutating func optional<T>(_ v: T?, _ write: (inout ByteWriter, T) -> Void) {
        if let v {
            byte(1)
            write(&self, v)
        } else {
            byte(0)
        }
    }
}

/// The reading side; every read is bounds-checked and throws instead of trapping, because
/// journal bytes come from disk. It reads in place (a WAL segment's buffer during a scan), so it
/// must not outlive the memory it was given.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var index: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var remaining: Int { bytes.count - index }

    mutating func byte() throws -> UInt8 {
        guard index < bytes.count else { throw JournalDecodeError.truncated }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func uvarint() throws -> UInt64 {
        // Most varints in a journal (sequence and attempt numbers, lengths) are one byte.
        if index < bytes.count, bytes[index] < 0x80 {
            defer { index += 1 }
            return UInt64(bytes[index])
        }
        return try longUvarint()
    }

    /// Timestamps take six bytes: read them with one bounds check each, not a throwing call each.
    private mutating func longUvarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = index
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 {
                index = i
                return result
            }
            shift += 7
            if shift > 63 { throw JournalDecodeError.malformed("varint too long") }
        }
        throw JournalDecodeError.truncated
    }

    mutating func varint() throws -> Int64 {
        let u = try uvarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func int() throws -> Int {
        let v = try varint()
        guard let i = Int(exactly: v) else { throw JournalDecodeError.malformed("integer out of range") }
        return i
    }

    mutating func fixed64() throws -> UInt64 {
        guard index + 8 <= bytes.count else { throw JournalDecodeError.truncated }
        defer { index += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
    }

    mutating func raw() throws -> UnsafeRawBufferPointer {
        let n = try uvarint()
        guard n <= UInt64(remaining) else { throw JournalDecodeError.truncated }
        let start = index
        index += Int(n)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }

    mutating func string() throws -> String {
        String(decoding: try raw(), as: UTF8.self)
    }

    /// The next string, as `recent` itself when its bytes are the same (no allocation, no UTF-8
    /// validation, one shared copy), else a new one that becomes `recent`. Equal bytes decode to
    /// an equal string, so the result is what `string()` would give.
    mutating func string(reusing recent: inout String) throws -> String {
        let bytes = try raw()
        if recent.utf8.count == bytes.count,
           recent.utf8.withContiguousStorageIfAvailable({ Self.equal(UnsafeRawBufferPointer($0), bytes) }) == true {
            return recent
        }
        recent = String(decoding: bytes, as: UTF8.self)
        return recent
    }

    /// Byte equality of two buffers of the same length.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return memcmp(pa, pb, a.count) == 0
    }

    mutating func optional<T>(_ read: (inout ByteReader) throws -> T) throws -> T? {
        switch try byte() {
        case 0: return nil
        case 1: return try read(&self)
        case let b: throw JournalDecodeError.malformed("bad optional tag \(b)")
        }
    }
}

enum JournalDecodeError: Error, CustomStringConvertible {
    case truncated
    case malformed(String)
    var description: String {
        switch self {
        case .truncated: "record ends early"
        case .malformed(let why): why
        }
    }
}
