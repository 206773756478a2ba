/// A JSON number: the literal as written, plus its exact value in millionths when EventBridge
/// can compare it numerically.
///
/// EventBridge (aws/event-ruler's `ComparableNumber`) compares numbers exactly as decimals with at
/// most six digits after the point, between -5e9 and 5e9 inclusive; a number outside that (an
/// account id, a nanosecond timestamp) matches only by its literal text. Doing the same with
/// integers instead of `Double` keeps `0.1 + 0.2`-style rounding out of numeric matching.
public struct JSONNumber: Sendable, CustomStringConvertible {
    /// The number as written in the JSON text.
    public let literal: String
    /// value × 1,000,000 when exact and within ±5e9; nil otherwise.
    public let micros: Int64?

    /// The largest magnitude numeric matching accepts: 5e9, in millionths.
    static let limitMicros: Int64 = 5_000_000_000_000_000

    /// A literal that is a valid JSON number, else nil.
    public init?(literal: String) {
        let bytes = Array(literal.utf8)
        let scanned: Int64?? = bytes.withUnsafeBufferPointer { buf in
            var i = 0
            guard let value = JSONNumber.scanNumber(buf, &i), i == buf.count else { return nil }
            return .some(value)
        }
        guard let micros = scanned else { return nil }
        self.literal = literal
        self.micros = micros
    }

    /// For the parser, which has already checked the grammar.
    init(validLiteral: String, micros: Int64?) {
        self.literal = validLiteral
        self.micros = micros
    }

    public init(_ value: Int) {
        self.init(validLiteral: String(value), micros: JSONNumber.scaled(value))
    }

    /// A Double as Swift prints it (shortest round-trip form); NaN and infinities become 0 (JSON has none).
    public init(_ value: Double) {
        guard value.isFinite else {
            self.init(0)
            return
        }
        // Swift's shortest round-trip form ("300.0", "1e+20") is valid JSON.
        self.init(literal: "\(value)")!
    }

    public var double: Double { Double(literal) ?? .nan }

    public var description: String { literal }

    private static func scaled(_ value: Int) -> Int64? {
        let (m, overflow) = Int64(value).multipliedReportingOverflow(by: 1_000_000)
        guard !overflow, m.magnitude <= UInt64(limitMicros) else { return nil }
        return m
    }
}

extension JSONNumber: Hashable {
    /// Numerically equal when both have an exact value, else equal as written: `300 == 300.0 == 3e2`.
    public static func == (a: JSONNumber, b: JSONNumber) -> Bool {
        if let x = a.micros, let y = b.micros { return x == y }
        return a.literal == b.literal
    }

    public func hash(into hasher: inout Hasher) {
        if let m = micros { hasher.combine(m) } else { hasher.combine(literal) }
    }
}

extension JSONNumber {
    /// Scans a number at `i` (advancing past it). nil = not a number; `.some(nil)` = a number with
    /// no exact comparable value.
    static func scanNumber(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int64?? {
        let start = i
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        // Significant digits are accumulated while they fit; beyond 18 of them the value cannot be
        // within ±5e9 with six decimals, so only their count matters.
        var digits: Int64 = 0
        var digitCount = 0        // significant digits kept in `digits` (leading zeros skipped)
        var droppedNonZero = false // a non-zero digit did not fit
        var exponent = 0          // power of ten applied to `digits`
        guard i < b.count, isDigit(b[i]) else { i = start; return nil }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i < b.count, isDigit(b[i]) { i = start; return nil }  // no leading zeros
        } else {
            while i < b.count, isDigit(b[i]) {
                accumulate(b[i], &digits, &digitCount, &droppedNonZero, &exponent, fraction: false)
                i += 1
            }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { i = start; return nil }
            while i < b.count, isDigit(b[i]) {
                accumulate(b[i], &digits, &digitCount, &droppedNonZero, &exponent, fraction: true)
                i += 1
            }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < b.count, isDigit(b[i]) else { i = start; return nil }
            var e = 0
            while i < b.count, isDigit(b[i]) {
                if e < 100_000 { e = e * 10 + Int(b[i] - UInt8(ascii: "0")) }  // clamp: beyond is out of range anyway
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        return .some(exactMicros(digits: digits, count: digitCount, dropped: droppedNonZero,
                                 exponent: exponent, negative: negative))
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func accumulate(_ c: UInt8, _ digits: inout Int64, _ count: inout Int, _ dropped: inout Bool,
                                   _ exponent: inout Int, fraction: Bool) {
        let d = Int64(c - UInt8(ascii: "0"))
        if count == 0 && d == 0 {
            if fraction { exponent -= 1 }  // a leading zero after the point only shifts the scale
            return
        }
        if count < 18 {
            digits = digits * 10 + d
            count += 1
            if fraction { exponent -= 1 }
        } else {
            if d != 0 { dropped = true }
            if !fraction { exponent += 1 }  // an integer digit that did not fit still counts ×10
        }
    }

    private static func exactMicros(digits: Int64, count: Int, dropped: Bool, exponent: Int, negative: Bool) -> Int64? {
        if digits == 0 { return dropped ? nil : 0 }
        if dropped { return nil }
        var d = digits
        var e = exponent + 6  // millionths
        while e < 0 {
            guard d % 10 == 0 else { return nil }  // more than six decimals
            d /= 10
            e += 1
        }
        while e > 0 {
            let (m, overflow) = d.multipliedReportingOverflow(by: 10)
            guard !overflow, m <= limitMicros else { return nil }
            d = m
            e -= 1
        }
        guard d <= limitMicros else { return nil }
        return negative ? -d : d
    }
}
