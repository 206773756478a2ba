/// `numeric`: `["=", x]`, `[op, x]` with op one of < <= > >=, or a range `[">" or ">=", low, "<" or "<=", high]`.
/// Checks and messages in AWS's order (event-ruler's `processNumericMatchExpression`).
enum NumericCompiler {
    static func range(_ terms: [JSONNode]) throws(EventPatternError) -> NumericRange {
        guard let first = terms.first, case .string(let op) = first else {
            // Jackson names the token it found; for an empty array that is the closing bracket.
            throw EventPatternError("Invalid member in numeric match: \(terms.first?.tokenText ?? "]")")
        }
        let operand = terms.count > 1 ? terms[1] : nil
        switch op {
        case "=":
            let v = try value(operand, of: "equals")
            if terms.count > 2 { throw .tooManyElements() }
            return NumericRange(lower: v, lowerOpen: false, upper: v, upperOpen: false)
        case ">", ">=":
            let low = try value(operand, of: op)
            if terms.count == 2 {
                try ordered(low, JSONNumber.limitMicros)
                return NumericRange(lower: low, lowerOpen: op == ">")
            }
            return try between(low, lowOpen: op == ">", terms.dropFirst(2))
        case "<", "<=":
            let high = try value(operand, of: op)
            if terms.count > 2 { throw .tooManyElements() }
            try ordered(-JSONNumber.limitMicros, high)
            return NumericRange(upper: high, upperOpen: op == "<")
        default:
            throw EventPatternError("Unrecognized numeric range operator: \(op)")
        }
    }

    private static func between(_ low: Int64, lowOpen: Bool, _ rest: ArraySlice<JSONNode>) throws(EventPatternError) -> NumericRange {
        let opNode = rest.first!
        guard case .string(let op) = opNode else { throw EventPatternError("Bad value in numeric range: \(opNode.tokenText)") }
        guard op == "<" || op == "<=" else { throw EventPatternError("Bad numeric range operator: \(op)") }
        let high = try value(rest.count > 1 ? rest[rest.startIndex + 1] : nil, of: op)
        if rest.count > 2 { throw EventPatternError("Too many terms in numeric range expression") }
        try ordered(low, high)
        return NumericRange(lower: low, lowerOpen: lowOpen, upper: high, upperOpen: op == "<")
    }

    private static func value(_ node: JSONNode?, of op: String) throws(EventPatternError) -> Int64 {
        guard case .number(let n) = node else { throw EventPatternError("Value of \(op) must be numeric") }
        return try comparable(n)
    }

    private static func ordered(_ low: Int64, _ high: Int64) throws(EventPatternError) {
        if low >= high { throw EventPatternError("Bottom must be less than top") }
    }

    /// A number numeric matching can use (event-ruler's `ComparableNumber.generate`): at most six
    /// decimals, within ±5e9.
    static func comparable(_ n: JSONNumber) throws(EventPatternError) -> Int64 {
        if let m = n.micros { return m }
        if decimalScale(n.literal) > 6 { throw EventPatternError("Only values upto 6 decimals are supported") }
        throw EventPatternError("Value must be between -5.0E9 and 5.0E9, inclusive")
    }

    /// Digits after the point once trailing zeros are dropped (BigDecimal's stripped scale).
    static func decimalScale(_ literal: String) -> Int {
        var mantissa = Substring(literal)
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let text = mantissa[mantissa.index(after: e)...]
            // An exponent too long for Int is out of range either way; only its sign matters.
            exponent = Int(text) ?? (text.hasPrefix("-") ? -1_000_000 : 1_000_000)
            mantissa = mantissa[..<e]
        }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? parts[1] : ""
        var digits = Array(parts[0].filter { $0 != "-" }) + Array(fraction)
        if digits.allSatisfy({ $0 == "0" }) { return 0 }
        var scale = fraction.count - exponent
        while digits.last == "0" {
            digits.removeLast()
            scale -= 1
        }
        return scale
    }
}
