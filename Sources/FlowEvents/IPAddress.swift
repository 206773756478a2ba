/// An IPv4 (4 bytes) or IPv6 (16 bytes) address, parsed the way EventBridge does: dotted decimal
/// or colon hex only (no host names, no zone ids, no embedded IPv4 in IPv6), and an IPv4-mapped
/// IPv6 address (`::ffff:a00:1`) is its IPv4 address, as Java's `InetAddress` makes it.
struct IPAddress: Sendable, Equatable {
    let bytes: [UInt8]

    init?(parsing s: String) {
        // Shape checks first, as AWS does (event-ruler's IPv4/IPv6 regular expressions).
        let u = Array(s.utf8)
        if let v4 = IPAddress.parseV4(u) { bytes = v4; return }
        guard let v6 = IPAddress.parseV6(u) else { return nil }
        if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xFF && v6[11] == 0xFF {
            bytes = Array(v6[12..<16])
        } else {
            bytes = v6
        }
    }

    /// Whether `s` has the shape of an address (digits and dots, or hex digits and colons with at
    /// least one colon). AWS names a malformed one "Nonstandard", a well-shaped bad one "Invalid".
    static func looksLikeAddress(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return looksLikeV4(u) || looksLikeV6(u)
    }

    private static func looksLikeV4(_ u: [UInt8]) -> Bool {
        let groups = u.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return groups.count == 4 && groups.allSatisfy { !$0.isEmpty && $0.allSatisfy(isDigit) }
    }

    private static func looksLikeV6(_ u: [UInt8]) -> Bool {
        u.contains(UInt8(ascii: ":")) && u.allSatisfy { $0 == UInt8(ascii: ":") || isHex($0) }
    }

    /// Four decimal groups 0-255; a leading zero is refused (Java rejects such ambiguous literals).
    private static func parseV4(_ u: [UInt8]) -> [UInt8]? {
        guard looksLikeV4(u) else { return nil }
        var out: [UInt8] = []
        for g in u.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard g.count <= 3, g.count == 1 || g.first != UInt8(ascii: "0") else { return nil }
            let v = g.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard v <= 255 else { return nil }
            out.append(UInt8(v))
        }
        return out
    }

    /// Eight groups of 1-4 hex digits, or fewer with one "::" standing for the missing zero groups.
    private static func parseV6(_ u: [UInt8]) -> [UInt8]? {
        guard looksLikeV6(u) else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var i = 0
        if u.starts(with: [0x3A, 0x3A]) { sawGap = true; i = 2 } else if u.first == 0x3A { return nil }
        while i < u.count {
            var j = i
            while j < u.count, u[j] != 0x3A { j += 1 }
            let group = u[i..<j]
            guard (1...4).contains(group.count) else { return nil }
            let v = group.reduce(UInt16(0)) { $0 << 4 | UInt16(hexValue($1)) }
            if sawGap { tail.append(v) } else { head.append(v) }
            if j == u.count { break }
            // j is at ':'
            if j + 1 < u.count, u[j + 1] == 0x3A {
                if sawGap { return nil }  // a second "::"
                sawGap = true
                i = j + 2
                if i == u.count { break }
            } else {
                i = j + 1
                if i == u.count { return nil }  // a trailing single ':'
            }
        }
        let count = head.count + tail.count
        if sawGap ? count > 7 : count != 8 { return nil }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
    private static func hexValue(_ c: UInt8) -> UInt8 {
        isDigit(c) ? c - 0x30 : (c | 0x20) - 0x61 + 10
    }
}

/// A `cidr` range: from the address as written (AWS does not clear its host bits) to that address
/// with every host bit set. Only addresses of the same family fall in it.
struct IPRange: Sendable {
    let low: [UInt8]
    let high: [UInt8]

    /// AWS's checks and messages, in its order (event-ruler's `CIDR.cidr`).
    init(parsing cidr: String) throws(EventPatternError) {
        // Java's String.split drops trailing empty pieces: "10.0.0.0/24/" splits into two.
        var pieces = cidr.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        while pieces.last == "" { pieces.removeLast() }
        guard pieces.count == 2 else { throw EventPatternError("Malformed CIDR, one '/' required") }
        guard let bits = IPRange.javaParseInt(pieces[1]) else {
            throw EventPatternError("Malformed CIDR, mask bits must be an integer")
        }
        guard bits >= 0 else { throw EventPatternError("Malformed CIDR, mask bits must not be negative") }
        guard let ip = IPAddress(parsing: pieces[0]) else {
            throw EventPatternError(IPAddress.looksLikeAddress(pieces[0])
                ? "Invalid IP address: \(pieces[0])" : "Nonstandard IP address: \(pieces[0])")
        }
        if ip.bytes.count == 4, bits > 31 { throw EventPatternError("IPv4 mask bits must be < 32") }
        if ip.bytes.count == 16, bits > 127 { throw EventPatternError("IPv6 mask bits must be < 128") }
        low = ip.bytes
        var top = ip.bytes
        var hostBits = top.count * 8 - bits
        for k in stride(from: top.count - 1, through: 0, by: -1) where hostBits > 0 {
            top[k] |= hostBits >= 8 ? 0xFF : UInt8((1 << hostBits) - 1)
            hostBits -= 8
        }
        high = top
    }

    func contains(_ ip: IPAddress) -> Bool {
        ip.bytes.count == low.count
            && !ip.bytes.lexicographicallyPrecedes(low)
            && !high.lexicographicallyPrecedes(ip.bytes)
    }

    /// `Integer.parseInt`: an optional sign and decimal digits, within Int32.
    private static func javaParseInt(_ s: String) -> Int? {
        var digits = Substring(s)
        var negative = false
        if let f = digits.first, f == "+" || f == "-" { negative = f == "-"; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let v = Int(digits), v <= Int(Int32.max) + (negative ? 1 : 0) else { return nil }
        return negative ? -v : v
    }
}
