/// A field's array of allowed values: exact values and match expressions (`{"prefix": ...}`).
enum ValueListCompiler {
    static func compile(_ items: [JSONNode]) throws(EventPatternError) -> FieldMatcher {
        var m = FieldMatcher()
        for item in items {
            switch item {
            case .object(let members): try MatchExpression.add(members, to: &m)
            case .string(let s):
                m.strings.insert(s)
                if let ip = IPAddress(parsing: s) { m.conditions.append(.ipEquals(ip)) }
            case .number(let n): m.numbers.append(n)
            case .bool(let b): if b { m.trueAllowed = true } else { m.falseAllowed = true }
            case .null: m.nullAllowed = true
            case .array: throw EventPatternError("Match value must be String, number, true, false, or null")
            }
        }
        if items.isEmpty { throw EventPatternError("Empty arrays are not allowed") }
        return m
    }
}

/// One `{"operator": operand}` object in a value list.
enum MatchExpression {
    static func add(_ members: [(key: String, value: JSONNode)], to m: inout FieldMatcher) throws(EventPatternError) {
        guard let (op, operand) = members.first else { throw EventPatternError("Match expression name not found") }
        let extra = members.count > 1
        switch op {
        case "prefix", "suffix":
            m.conditions.append(try affix(op, operand))
            if extra { throw .onlyOneKey() }
        case "equals-ignore-case":
            guard case .string(let s) = operand else {
                throw EventPatternError("equals-ignore-case match pattern must be a string")
            }
            m.conditions.append(.equalsIgnoringCase(CaseFolded(s)))
            if extra { throw .onlyOneKey() }
        case "wildcard":
            guard case .string(let s) = operand else { throw EventPatternError("wildcard match pattern must be a string") }
            m.conditions.append(.wildcard(try Wildcard(parsing: s)))
            if extra { throw .onlyOneKey() }
        case "numeric":
            guard case .array(let terms) = operand else { throw EventPatternError("Value of numeric must be an array.") }
            m.conditions.append(.numeric(try NumericCompiler.range(terms)))
            if extra { throw .tooManyElements() }
        case "anything-but":
            m.conditions.append(.anythingBut(try AnythingButCompiler.compile(operand)))
            if extra { throw .tooManyElements() }
        case "exists":
            guard case .bool(let b) = operand else {
                throw EventPatternError("exists match pattern must be either true or false.")
            }
            if b { m.anyValue = true } else { m.allowsAbsence = true }
            if extra { throw .onlyOneKey() }
        case "cidr":
            // AWS's message for a non-string cidr does say "prefix".
            guard case .string(let s) = operand else { throw EventPatternError("prefix match pattern must be a string") }
            m.conditions.append(.cidr(try IPRange(parsing: s)))
            if extra { throw .onlyOneKey() }
        default:
            throw EventPatternError("Unrecognized match type \(op)")
        }
    }

    /// `prefix` / `suffix`: a string, or `{"equals-ignore-case": string}`.
    private static func affix(_ op: String, _ operand: JSONNode) throws(EventPatternError) -> Condition {
        let isPrefix = op == "prefix"
        switch operand {
        case .string(let s): return isPrefix ? .prefix(s) : .suffix(s)
        case .object(let inner):
            let name = isPrefix ? "Prefix" : "Suffix"
            guard let (innerOp, value) = inner.first else { throw EventPatternError("\(name) expression name not found") }
            guard innerOp == "equals-ignore-case" else { throw EventPatternError("Unsupported \(op) pattern: \(innerOp)") }
            guard case .string(let s) = value else {
                throw EventPatternError("equals-ignore-case match pattern must be a string")
            }
            if inner.count > 1 { throw .onlyOneKey() }
            return isPrefix ? .prefixIgnoringCase(CaseFolded(s)) : .suffixIgnoringCase(CaseFolded(s))
        default:
            throw EventPatternError("\(op) match pattern must be a string")
        }
    }
}
