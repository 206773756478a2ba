/// One operator from a field's value list, compiled.
enum Condition: Sendable {
    /// An exact string that is an IP literal: AWS compares it as an address ("::1" = "0:0:0:0:0:0:0:1").
    case ipEquals(IPAddress)
    case prefix(String)
    case prefixIgnoringCase(CaseFolded)
    case suffix(String)
    case suffixIgnoringCase(CaseFolded)
    case equalsIgnoringCase(CaseFolded)
    case wildcard(Wildcard)
    case numeric(NumericRange)
    case cidr(IPRange)
    case anythingBut(AnythingBut)

    func matches(_ value: JSONValue) -> Bool {
        if case .anythingBut(let a) = self { return a.matches(value) }
        if case .numeric(let r) = self {
            guard case .number(let n) = value, let m = n.micros else { return false }
            return r.contains(m)
        }
        // Every other operator works on strings only (a number is never a prefix match).
        guard case .string(let s) = value else { return false }
        switch self {
        case .ipEquals(let ip): return IPAddress(parsing: s) == ip
        case .prefix(let p): return s.utf8.starts(with: p.utf8)
        case .prefixIgnoringCase(let p): return p.isPrefix(of: s)
        case .suffix(let p): return s.utf8.reversed().starts(with: p.utf8.reversed())
        case .suffixIgnoringCase(let p): return p.isSuffix(of: s)
        case .equalsIgnoringCase(let p): return p.equals(s)
        case .wildcard(let w): return w.matches(s)
        case .cidr(let range): return IPAddress(parsing: s).map(range.contains) ?? false
        case .numeric, .anythingBut: return false
        }
    }
}

/// `numeric`: bounds in millionths (see `JSONNumber`); a missing bound is open-ended.
struct NumericRange: Sendable {
    var lower: Int64?
    var lowerOpen = false
    var upper: Int64?
    var upperOpen = false

    func contains(_ m: Int64) -> Bool {
        if let l = lower, lowerOpen ? m <= l : m < l { return false }
        if let u = upper, upperOpen ? m >= u : m > u { return false }
        return true
    }
}

/// `anything-but`: matches any value (null and booleans included) that is not excluded. A value of
/// another type than the excluded ones is never excluded: `{"anything-but": 123}` matches "123".
enum AnythingBut: Sendable {
    case values(strings: ExactStrings, numbers: Set<Int64>)
    case prefixes([String])
    case suffixes([String])
    case ignoringCase([CaseFolded])
    case wildcards([Wildcard])

    func matches(_ value: JSONValue) -> Bool {
        switch self {
        case .values(let strings, let numbers):
            switch value {
            case .string(let s): return !strings.contains(s)
            case .number(let n): return n.micros.map { !numbers.contains($0) } ?? true
            default: return true
            }
        case .prefixes(let ps):
            guard case .string(let s) = value else { return true }
            return !ps.contains { s.utf8.starts(with: $0.utf8) }
        case .suffixes(let ps):
            guard case .string(let s) = value else { return true }
            return !ps.contains { s.utf8.reversed().starts(with: $0.utf8.reversed()) }
        case .ignoringCase(let ps):
            guard case .string(let s) = value else { return true }
            return !ps.contains { $0.equals(s) }
        case .wildcards(let ws):
            guard case .string(let s) = value else { return true }
            return !ws.contains { $0.matches(s) }
        }
    }
}
