// Containers for LuaCodingEncoder. Each writes into a LuaCodingNode; integers go through
// LuaCodingEncoder.integer so out-of-range values fail the same way everywhere.

struct LuaCodingKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: LuaCodingNode
    let codingPath: [any CodingKey]

    private func put(_ value: LuaValue, _ key: Key) { node.fields[key.stringValue] = LuaCodingNode(.scalar(value)) }
    private func int<I: FixedWidthInteger>(_ value: I, _ key: Key) throws {
        put(try LuaCodingEncoder.integer(value, at: codingPath + [key]), key)
    }

    private func child(_ name: String, _ shape: LuaCodingNode.Shape) -> LuaCodingNode {
        let child = LuaCodingNode(shape)
        node.fields[name] = child
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { node.fields[key.stringValue] = nil }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(LuaCodingEncoder.float(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try int(value, key) }
    @available(macOS 15.0, *)
    mutating func encode(_ value: Int128, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try int(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try int(value, key) }
    @available(macOS 15.0, *)
    mutating func encode(_ value: UInt128, forKey key: Key) throws { try int(value, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try LuaCodingEncoder.encode(value, into: child(key.stringValue, .empty), at: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(LuaCodingKeyedEncoding<NestedKey>(
            node: child(key.stringValue, .keyed), codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        LuaCodingUnkeyedEncoding(node: child(key.stringValue, .unkeyed), codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        LuaCodingEncoder(node: child("super", .empty), codingPath: codingPath + [LuaCodingAnyKey("super")])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        LuaCodingEncoder(node: child(key.stringValue, .empty), codingPath: codingPath + [key])
    }
}

struct LuaCodingUnkeyedEncoding: UnkeyedEncodingContainer {
    let node: LuaCodingNode
    let codingPath: [any CodingKey]

    var count: Int { node.elements.count }
    private var nextPath: [any CodingKey] { codingPath + [LuaCodingIndexKey(index: count)] }

    private func append(_ value: LuaValue) { node.elements.append(LuaCodingNode(.scalar(value))) }
    private func int<I: FixedWidthInteger>(_ value: I) throws { append(try LuaCodingEncoder.integer(value, at: nextPath)) }

    private func child(_ shape: LuaCodingNode.Shape) -> LuaCodingNode {
        let child = LuaCodingNode(shape)
        node.elements.append(child)
        return child
    }

    mutating func encodeNil() throws { throw LuaCodingEncoder.nilElement(at: nextPath) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(LuaCodingEncoder.float(value)) }
    mutating func encode(_ value: Int) throws { try int(value) }
    mutating func encode(_ value: Int8) throws { try int(value) }
    mutating func encode(_ value: Int16) throws { try int(value) }
    mutating func encode(_ value: Int32) throws { try int(value) }
    mutating func encode(_ value: Int64) throws { try int(value) }
    @available(macOS 15.0, *)
    mutating func encode(_ value: Int128) throws { try int(value) }
    mutating func encode(_ value: UInt) throws { try int(value) }
    mutating func encode(_ value: UInt8) throws { try int(value) }
    mutating func encode(_ value: UInt16) throws { try int(value) }
    mutating func encode(_ value: UInt32) throws { try int(value) }
    mutating func encode(_ value: UInt64) throws { try int(value) }
    @available(macOS 15.0, *)
    mutating func encode(_ value: UInt128) throws { try int(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // Encoded detached and appended only when complete, so a failure or a nil leaves no hole.
        let path = nextPath
        let element = LuaCodingNode()
        try LuaCodingEncoder.encode(value, into: element, at: path)
        if element.isNil { throw LuaCodingEncoder.nilElement(at: path) }
        node.elements.append(element)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return KeyedEncodingContainer(LuaCodingKeyedEncoding<NestedKey>(node: child(.keyed), codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return LuaCodingUnkeyedEncoding(node: child(.unkeyed), codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return LuaCodingEncoder(node: child(.empty), codingPath: path)
    }
}

struct LuaCodingSingleValueEncoding: SingleValueEncodingContainer {
    let node: LuaCodingNode
    let codingPath: [any CodingKey]

    private func set(_ value: LuaValue) { node.shape = .scalar(value) }
    private func int<I: FixedWidthInteger>(_ value: I) throws { set(try LuaCodingEncoder.integer(value, at: codingPath)) }

    mutating func encodeNil() throws { set(.nil) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(LuaCodingEncoder.float(value)) }
    mutating func encode(_ value: Int) throws { try int(value) }
    mutating func encode(_ value: Int8) throws { try int(value) }
    mutating func encode(_ value: Int16) throws { try int(value) }
    mutating func encode(_ value: Int32) throws { try int(value) }
    mutating func encode(_ value: Int64) throws { try int(value) }
    @available(macOS 15.0, *)
    mutating func encode(_ value: Int128) throws { try int(value) }
    mutating func encode(_ value: UInt) throws { try int(value) }
    mutating func encode(_ value: UInt8) throws { try int(value) }
    mutating func encode(_ value: UInt16) throws { try int(value) }
    mutating func encode(_ value: UInt32) throws { try int(value) }
    mutating func encode(_ value: UInt64) throws { try int(value) }
    @available(macOS 15.0, *)
    mutating func encode(_ value: UInt128) throws { try int(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try LuaCodingEncoder.encode(value, into: node, at: codingPath)
    }
}
