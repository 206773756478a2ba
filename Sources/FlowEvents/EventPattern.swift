/// An EventBridge event pattern, validated and compiled once; `matches` is then pure and cheap.
///
///     let pattern = try EventPattern(#"{"source": ["aws.ecs"], "detail": {"lastStatus": ["RUNNING"]}}"#)
///     pattern.matches(try JSONValue.parse(eventText))
///
/// The whole envelope is matched (`source`, `detail-type`, `detail`, ...), as EventBridge does.
public struct EventPattern: Sendable {
    /// Limits AWS enforces on a pattern besides its grammar.
    public struct Limits: Sendable {
        /// AWS's quota on a pattern's length in characters: 2048 by default, raisable to 4096.
        public var maxLength: Int
        /// `$or` branches multiply: a pattern is matched as the list of its alternatives (as AWS
        /// does), and this bounds that list so a small pattern cannot explode.
        public var maxAlternatives: Int

        public init(maxLength: Int = 2048, maxAlternatives: Int = 1024) {
            self.maxLength = maxLength
            self.maxAlternatives = maxAlternatives
        }

        public static let aws = Limits()
    }

    let compiled: CompiledPattern

    /// Parses and validates pattern JSON text.
    public init(_ text: String, limits: Limits = .aws) throws(EventPatternError) {
        if text.utf16.count > limits.maxLength {
            throw EventPatternError("Event pattern is longer than \(limits.maxLength) characters (\(text.utf16.count))")
        }
        let node: JSONNode
        do {
            node = try JSONNode.parse(text)
        } catch {
            throw EventPatternError("Filter is not valid JSON: \(error)")
        }
        compiled = try PatternCompiler.compile(node, limits: limits)
    }

    /// Validates a pattern given as a value (a Lua table, say); object keys are read in sorted order.
    public init(json: JSONValue, limits: Limits = .aws) throws(EventPatternError) {
        let length = json.description.utf16.count
        if length > limits.maxLength {
            throw EventPatternError("Event pattern is longer than \(limits.maxLength) characters (\(length))")
        }
        compiled = try PatternCompiler.compile(JSONNode(json), limits: limits)
    }

    /// Whether the event (an EventBridge envelope, a JSON object) matches. Anything but an object never does.
    public func matches(_ event: JSONValue) -> Bool {
        guard case .object(let root) = event else { return false }
        return PatternMatcher.matches(compiled, root)
    }

    /// The flattened field paths the pattern reads (`detail.containers.name`), sorted.
    public var fieldPaths: [String] { compiled.paths.map(\.name).sorted() }

    /// How many alternatives `$or` expands the pattern into (1 without `$or`).
    public var alternativeCount: Int { compiled.rules.count }
}

/// Several patterns tested against one event: which match.
public struct EventPatternSet: Sendable {
    public let patterns: [EventPattern]

    public init(_ patterns: [EventPattern]) { self.patterns = patterns }

    /// Indices (into `patterns`) of the patterns the event matches, in order.
    public func matching(_ event: JSONValue) -> [Int] {
        guard case .object(let root) = event else { return [] }
        var hits: [Int] = []
        for (k, p) in patterns.enumerated() where PatternMatcher.matches(p.compiled, root) { hits.append(k) }
        return hits
    }

    /// Whether any pattern matches (stops at the first).
    public func matchesAny(_ event: JSONValue) -> Bool {
        guard case .object(let root) = event else { return false }
        return patterns.contains { PatternMatcher.matches($0.compiled, root) }
    }
}
