/// A `wildcard` value: `*` matches any run of characters (none included); `\*` is a literal star
/// and `\\` a literal backslash. Matching is linear in practice (leftmost placement of each
/// literal part is optimal when `*` is the only operator).
struct Wildcard: Sendable {
    /// The literal parts between the stars: `a*b*c` is ["a", "b", "c"]; no star is one part.
    let parts: [[UInt8]]

    /// AWS's rules and messages (event-ruler's `WildcardParser`). Positions count UTF-8 bytes of
    /// the value as AWS sees it, inside its quotes, hence the +1.
    init(parsing value: String) throws(EventPatternError) {
        let bytes = Array(value.utf8)
        var parts: [[UInt8]] = [[]]
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "*") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
                    throw EventPatternError("Consecutive wildcard characters at pos \(i + 1)")
                }
                parts.append([])
            } else if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") || bytes[i + 1] == UInt8(ascii: "\\") else {
                    throw EventPatternError("Invalid escape character at pos \(i + 1)")
                }
                parts[parts.count - 1].append(bytes[i + 1])
                i += 1
            } else {
                parts[parts.count - 1].append(c)
            }
            i += 1
        }
        self.parts = parts
    }

    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { matches(bytes: $0) }
    }

    private func matches(bytes t: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = parts[0]
        if parts.count == 1 { return t.elementsEqual(first) }
        let last = parts[parts.count - 1]
        guard t.count >= first.count + last.count,
              t.starts(with: first),
              t[(t.count - last.count)...].elementsEqual(last) else { return false }
        // Place the middle parts, each at its leftmost occurrence, between the first and the last.
        var from = first.count
        let end = t.count - last.count
        for part in parts[1..<(parts.count - 1)] where !part.isEmpty {
            guard let at = Wildcard.find(part, in: t, from: from, end: end) else { return false }
            from = at + part.count
        }
        return true
    }

    private static func find(_ needle: [UInt8], in t: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int? {
        guard end - from >= needle.count else { return nil }
        let first = needle[0]
        var k = from
        while k + needle.count <= end {
            if t[k] == first {
                var j = 1
                while j < needle.count && t[k + j] == needle[j] { j += 1 }
                if j == needle.count { return k }
            }
            k += 1
        }
        return nil
    }
}
