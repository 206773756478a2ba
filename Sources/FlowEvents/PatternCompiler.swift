/// Validates a pattern and compiles it, following AWS's parser (aws/event-ruler's
/// `JsonRuleCompiler`) step for step so the same pattern gets the same error, and the first error
/// in document order is the one reported.
struct PatternCompiler {
    /// Field names AWS refuses inside `$or` (they would read as operators).
    static let reservedInOr: Set<String> = [
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric",
        "cidr", "html", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
        "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
        "ip-address-in-range", "ip-address-not-in-range",
    ]

    let limits: EventPattern.Limits
    /// Alternatives under construction: flattened path name → what it allows. Starts empty, as in
    /// AWS: the first field creates the first alternative.
    private var rules: [[String: CompiledField]] = []
    private var order: [String: Int] = [:]  // path name → index in `pathNames`
    private var pathNames: [String] = []

    static func compile(_ root: JSONNode, limits: EventPattern.Limits) throws(EventPatternError) -> CompiledPattern {
        guard case .object(let members) = root else { throw EventPatternError("Filter is not an object") }
        var compiler = PatternCompiler(limits: limits)
        try compiler.parseObject(members, path: [], insideOr: false)
        return compiler.finish()
    }

    private init(limits: EventPattern.Limits) { self.limits = limits }

    private mutating func parseObject(_ members: [(key: String, value: JSONNode)], path: [String],
                                      insideOr: Bool) throws(EventPatternError) {
        for (key, value) in members {
            // "$or" is not a field: its array's objects are alternatives at this level.
            if key == "$or" {
                try parseOr(value, path: path)
                continue
            }
            if insideOr && PatternCompiler.reservedInOr.contains(key) {
                throw EventPatternError("\(key) is Ruler reserved fieldName which cannot be used inside $or.")
            }
            switch value {
            case .object(let inner): try parseObject(inner, path: path + [key], insideOr: insideOr)
            case .array(let items): try writeField(path: path + [key], items)
            default: throw EventPatternError("\"\(key)\" must be an object or an array")
            }
        }
        if members.isEmpty { throw EventPatternError("Empty objects are not allowed") }
    }

    /// Each object of the array forks every alternative built so far.
    private mutating func parseOr(_ value: JSONNode, path: [String]) throws(EventPatternError) {
        guard case .array(let items) = value else { throw EventPatternError("It must be an Array followed with $or.") }
        let current = rules
        rules = []
        var collected: [[String: CompiledField]] = []
        for item in items {
            guard case .object(let members) = item else {
                throw EventPatternError("Only JSON object is allowed in array of $or relationship.")
            }
            rules = current.isEmpty ? [[:]] : current
            try parseObject(members, path: path, insideOr: true)
            collected += rules
            if collected.count > limits.maxAlternatives {
                throw EventPatternError("$or expands to more than \(limits.maxAlternatives) alternatives")
            }
        }
        if items.count < 2 { throw EventPatternError("There must have at least 2 Objects in $or relationship.") }
        rules = collected
    }

    /// A field's value list: it replaces whatever an earlier key with the same flattened path gave
    /// (AWS: "if you include a key more than once the last reference will be the one used").
    private mutating func writeField(path: [String], _ items: [JSONNode]) throws(EventPatternError) {
        let matcher = CompiledField(try ValueListCompiler.compile(items))
        // Keys may contain dots: the flattened name is what identifies the field.
        let name = path.joined(separator: ".")
        if order[name] == nil {
            order[name] = pathNames.count
            pathNames.append(name)
        }
        if rules.isEmpty { rules = [[:]] }
        for k in rules.indices { rules[k][name] = matcher }
    }

    private func finish() -> CompiledPattern {
        var prefixIDs: [String: UInt32] = [:]
        let paths = pathNames.map { name -> FieldPath in
            let segments = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var ids: [UInt32] = []
            for d in segments.indices {
                let prefix = segments[0...d].joined(separator: ".")
                if prefixIDs[prefix] == nil { prefixIDs[prefix] = UInt32(prefixIDs.count) }
                ids.append(prefixIDs[prefix]!)
            }
            return FieldPath(name: name, segments: segments, prefixIDs: ids)
        }
        let compiledRules = rules.map { rule in
            // AWS walks a rule's fields in the order of their names (Java's UTF-16 order).
            let names = rule.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            return SubRule(fields: names.map { FieldTest(path: order[$0]!, matcher: rule[$0]!) })
        }
        return CompiledPattern(paths: paths, rules: compiledRules, prefixCount: prefixIDs.count)
    }
}
