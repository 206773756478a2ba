/// `anything-but`: a string or number, a list of strings or of numbers, or an object
/// `{"prefix" | "suffix" | "wildcard" | "equals-ignore-case": string or list of strings}`.
/// Checks and messages in AWS's order (event-ruler's `processMatchExpression`).
enum AnythingButCompiler {
    private enum Kind: String {
        case prefix, suffix, wildcard
        case ignoreCase = "equals-ignore-case"

        /// AWS's message when an operand is not a string.
        var notAString: String {
            switch self {
            case .ignoreCase: "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
            case .wildcard: "wildcard match pattern must be a string"
            case .prefix, .suffix: "prefix/suffix match pattern must be a string"
            }
        }
    }

    static func compile(_ operand: JSONNode) throws(EventPatternError) -> AnythingBut {
        var operand = operand
        var kind: Kind?
        var innerExtra = false
        if case .object(let members) = operand {
            guard let (op, value) = members.first else { throw EventPatternError("Anything-But expression name not found") }
            guard let k = Kind(rawValue: op) else { throw EventPatternError("Unsupported anything-but pattern: \(op)") }
            kind = k
            operand = value
            innerExtra = members.count > 1
        }
        switch operand {
        case .array, .string, .number: break
        default: throw EventPatternError("Value of anything-but must be an array or single string/number value.")
        }
        let result: AnythingBut
        if let kind {
            let texts: [String]
            if case .array(let items) = operand {
                var collected: [String] = []
                for item in items {
                    guard case .string(let s) = item else { throw EventPatternError(kind.notAString) }
                    try checkAffix(s, kind)
                    collected.append(s)
                }
                texts = collected
            } else {
                guard case .string(let s) = operand else { throw EventPatternError(kind.notAString) }
                try checkAffix(s, kind)
                texts = [s]
            }
            result = try typed(kind, texts)
        } else if case .array(let items) = operand {
            result = try plainList(items)
        } else {
            var strings = ExactStrings()
            var numbers: Set<Int64> = []
            if case .string(let s) = operand { strings.insert(s) }
            if case .number(let n) = operand { numbers.insert(try NumericCompiler.comparable(n)) }
            result = .values(strings: strings, numbers: numbers)
        }
        if innerExtra { throw .tooManyElements() }
        return result
    }

    private static func checkAffix(_ s: String, _ kind: Kind) throws(EventPatternError) {
        if s.isEmpty && (kind == .prefix || kind == .suffix) { throw EventPatternError("Null prefix/suffix not allowed") }
    }

    private static func typed(_ kind: Kind, _ texts: [String]) throws(EventPatternError) -> AnythingBut {
        switch kind {
        case .prefix: return .prefixes(texts)
        case .suffix: return .suffixes(texts)
        case .ignoreCase: return .ignoringCase(texts.map(CaseFolded.init))
        case .wildcard:
            var ws: [Wildcard] = []
            for t in texts { ws.append(try Wildcard(parsing: t)) }
            return .wildcards(ws)
        }
    }

    /// A list of all strings or all numbers (AWS refuses mixed and empty lists).
    private static func plainList(_ items: [JSONNode]) throws(EventPatternError) -> AnythingBut {
        var strings = ExactStrings()
        var numbers: Set<Int64> = []
        var sawString = false
        var sawNumber = false
        for item in items {
            switch item {
            case .string(let s): strings.insert(s); sawString = true
            case .number(let n): numbers.insert(try NumericCompiler.comparable(n)); sawNumber = true
            default: throw EventPatternError("Inside anything but list, start|null|boolean is not supported.")
            }
        }
        if sawString == sawNumber {
            throw EventPatternError("Inside anything but list, either all values are number or string, mixed type is not supported")
        }
        return .values(strings: strings, numbers: numbers)
    }
}
