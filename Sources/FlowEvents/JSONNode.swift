/// JSON with object members in document order, duplicates kept.
///
/// Patterns are validated from this form, not from `JSONValue`: AWS reads a pattern as a token
/// stream, so the first error in document order is the one reported, and a key given twice is
/// overridden by its last occurrence (which may also be reached through a dotted key).
indirect enum JSONNode: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONNode])
    case object([(key: String, value: JSONNode)])

    static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        try JSONParser<NodeBuilder>.parse(text)
    }

    /// A `JSONValue` as a node; object keys sorted so errors are reported in a stable order.
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(JSONNode.init))
        case .object(let fields):
            self = .object(fields.keys.sorted().map { (key: $0, value: JSONNode(fields[$0]!)) })
        }
    }

    /// How Jackson's `getText()` shows this token in AWS's messages (`Invalid member in numeric match: X`).
    var tokenText: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.literal
        case .string(let s): s
        case .array: "["
        case .object: "{"
        }
    }
}

struct NodeBuilder: JSONBuilder {
    static func null() -> JSONNode { .null }
    static func bool(_ b: Bool) -> JSONNode { .bool(b) }
    static func number(_ n: JSONNumber) -> JSONNode { .number(n) }
    static func string(_ s: String) -> JSONNode { .string(s) }
    static func array(_ items: [JSONNode]) -> JSONNode { .array(items) }
    static func emptyObject() -> [(key: String, value: JSONNode)] { [] }
    static func add(_ key: String, _ value: JSONNode, to object: inout [(key: String, value: JSONNode)]) {
        object.append((key: key, value: value))
    }
    static func object(_ object: [(key: String, value: JSONNode)]) -> JSONNode { .object(object) }
}
