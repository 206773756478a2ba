/// A parsed JSON value: what an event is to the matcher.
///
/// Objects are unordered dictionaries (a duplicate key keeps its last value, as Jackson's tree
/// does); numbers keep the literal as written (see `JSONNumber`), because EventBridge matches a
/// number both by its text and, when it can, by its exact decimal value.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value under `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text; object keys sorted so the output is stable (logs, tests, idempotency keys).
    public var description: String {
        var out = ""
        JSONWriter.write(self, to: &out)
        return out
    }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259; at most `JSONLimits.maxDepth` levels of nesting).
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser<ValueBuilder>.parse(text)
    }

    /// Parses JSON from UTF-8 bytes (a file's contents).
    public static func parse(utf8 bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser<ValueBuilder>.parse(bytes)
    }
}

/// Builds `JSONValue`s for the parser.
struct ValueBuilder: JSONBuilder {
    static func null() -> JSONValue { .null }
    static func bool(_ b: Bool) -> JSONValue { .bool(b) }
    static func number(_ n: JSONNumber) -> JSONValue { .number(n) }
    static func string(_ s: String) -> JSONValue { .string(s) }
    static func array(_ items: [JSONValue]) -> JSONValue { .array(items) }
    static func emptyObject() -> [String: JSONValue] { [:] }
    /// A duplicate key keeps its last value.
    static func add(_ key: String, _ value: JSONValue, to object: inout [String: JSONValue]) { object[key] = value }
    static func object(_ object: [String: JSONValue]) -> JSONValue { .object(object) }
}
