/// A string for `equals-ignore-case` and the ignore-case forms of `prefix`, `suffix` and
/// `anything-but`: compared after lower-casing both sides (Unicode case mapping), without
/// allocating when both are ASCII, which event fields almost always are.
struct CaseFolded: Sendable {
    let folded: String
    let isASCII: Bool

    init(_ s: String) {
        folded = s.lowercased()
        isASCII = folded.utf8.allSatisfy { $0 < 0x80 }
    }

    func equals(_ s: String) -> Bool {
        if isASCII, let r = asciiCompare(s, anchoredAtEnd: false, wholeString: true) { return r }
        return s.lowercased().utf8.elementsEqual(folded.utf8)
    }

    func isPrefix(of s: String) -> Bool {
        if isASCII, let r = asciiCompare(s, anchoredAtEnd: false, wholeString: false) { return r }
        return s.lowercased().utf8.starts(with: folded.utf8)
    }

    func isSuffix(of s: String) -> Bool {
        if isASCII, let r = asciiCompare(s, anchoredAtEnd: true, wholeString: false) { return r }
        return s.lowercased().utf8.reversed().starts(with: folded.utf8.reversed())
    }

    /// nil when `s` has a non-ASCII byte in the compared part (then Unicode lower-casing decides).
    private func asciiCompare(_ s: String, anchoredAtEnd: Bool, wholeString: Bool) -> Bool? {
        let a = s.utf8
        let p = folded.utf8
        if wholeString ? a.count != p.count : a.count < p.count {
            // Lengths decide unless non-ASCII text could change length when lower-cased.
            return a.allSatisfy({ $0 < 0x80 }) ? false : nil
        }
        var ai = anchoredAtEnd ? a.index(a.endIndex, offsetBy: -p.count) : a.startIndex
        for pc in p {
            var c = a[ai]
            if c >= 0x80 { return nil }
            if c >= 0x41 && c <= 0x5A { c += 0x20 }
            if c != pc { return false }
            ai = a.index(after: ai)
        }
        return true
    }
}
