/// Encodes a native step's result as a LuaValue, to be journaled and handed back to Lua.
///
/// Structs and string-keyed dictionaries become `.table`, arrays `.array`, integers `.int`
/// and floating-point numbers `.double` (even when integral, so Lua sees the float subtype
/// the Swift code produced). Nil optionals are left out of tables, since Lua has no way to
/// store them; a nil inside an array is refused, as it would cut the Lua sequence short.
/// Empty arrays encode as `.table([:])`, the single form LuaValue uses for `{}`.
public struct LuaValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> LuaValue {
        let root = LuaCodingNode()
        try LuaCodingEncoder.encode(value, into: root, at: [])
        return root.value
    }
}

/// A value under construction. Containers hand out child nodes before their contents are
/// encoded (nested containers, super encoders), so the tree is built by reference and
/// converted to a LuaValue once at the end.
final class LuaCodingNode {
    enum Shape { case empty, scalar(LuaValue), keyed, unkeyed }

    var shape: Shape
    var fields: [String: LuaCodingNode] = [:]
    var elements: [LuaCodingNode] = []

    init(_ shape: Shape = .empty) { self.shape = shape }

    var value: LuaValue {
        switch shape {
        // Matches JSONEncoder: a type that wrote nothing encodes as an empty container.
        case .empty: .table([:])
        case .scalar(let v): v
        case .keyed: .table(fields.compactMapValues { node in
            let v = node.value
            return v.isNil ? nil : v
        })
        case .unkeyed: elements.isEmpty ? .table([:]) : .array(elements.map(\.value))
        }
    }

    var isNil: Bool {
        if case .scalar(let v) = shape { return v.isNil }
        return false
    }

    // Asking for a different kind of container replaces what was there rather than trapping
    // as Foundation does: a confused Encodable must not take the engine down.
    func become(_ kind: Shape) {
        switch (shape, kind) {
        case (.keyed, .keyed), (.unkeyed, .unkeyed): return
        default: shape = kind
        }
    }
}

final class LuaCodingEncoder: Encoder {
    let node: LuaCodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: LuaCodingNode, codingPath: [any CodingKey]) {
        self.node = node
        self.codingPath = codingPath
    }

    static func encode<T: Encodable>(_ value: T, into node: LuaCodingNode, at path: [any CodingKey]) throws {
        if let raw = value as? LuaValue {
            node.shape = .scalar(raw)
            return
        }
        try value.encode(to: LuaCodingEncoder(node: node, codingPath: path))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.become(.keyed)
        return KeyedEncodingContainer(LuaCodingKeyedEncoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.become(.unkeyed)
        return LuaCodingUnkeyedEncoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        LuaCodingSingleValueEncoding(node: node, codingPath: codingPath)
    }
}

extension LuaCodingEncoder {
    static func integer<I: FixedWidthInteger>(_ value: I, at path: [any CodingKey]) throws -> LuaValue {
        guard let i = Int64(exactly: value) else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: path, debugDescription: "value out of range for a Lua integer: \(value)"))
        }
        return .int(i)
    }

    /// Widens through the shortest decimal form so `Float(0.1)` reaches Lua as 0.1, not as
    /// 0.10000000149011612.
    static func float(_ value: Float) -> LuaValue {
        .double(Double(String(value)) ?? Double(value))
    }

    static func nilElement(at path: [any CodingKey]) -> EncodingError {
        EncodingError.invalidValue(LuaValue.nil, EncodingError.Context(
            codingPath: path, debugDescription: "nil cannot be an array element: Lua would end the sequence there"))
    }
}
