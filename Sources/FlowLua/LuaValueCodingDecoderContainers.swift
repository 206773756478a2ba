// Containers for LuaCodingDecoder. Typed overloads all funnel into LuaValue's luaCoding*
// readers so every container reports type errors with identical wording.

private func luaCodingUnsupportedSuper(_ path: [any CodingKey]) -> LuaArgumentError {
    LuaArgumentError(codingPath: path, problem: "superDecoder is not supported")
}

struct LuaCodingKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: LuaCodingDecoder
    let table: [String: LuaValue]
    let usage: LuaCodingKeyUsage
    let codingPath: [any CodingKey]

    init(decoder: LuaCodingDecoder, value: LuaValue, path: [any CodingKey]) throws {
        switch value {
        case .table(let t): table = t
        // A Lua sequence is a table too, so saying just "table expected" would confuse.
        case .array: throw LuaArgumentError(codingPath: path, problem: "table with named fields expected, got array")
        default: throw LuaArgumentError(codingPath: path, problem: "table expected, got \(value.typeName)")
        }
        self.decoder = decoder
        self.codingPath = path
        self.usage = decoder.usage(of: table, at: path)
    }

    var allKeys: [Key] { table.keys.sorted().compactMap(Key.init(stringValue:)) }

    // Lua cannot store nil in a table, so a `.nil` entry means the same as no entry.
    func contains(_ key: Key) -> Bool {
        usage.asked.insert(key.stringValue)
        return !(table[key.stringValue]?.isNil ?? true)
    }

    func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }

    private func value(_ key: Key) throws -> LuaValue {
        guard contains(key), let value = table[key.stringValue] else {
            throw LuaArgumentError(codingPath: codingPath + [key], problem: "missing required argument")
        }
        return value
    }

    private func read<T>(_ key: Key, _ convert: (LuaValue, [any CodingKey]) throws -> T) throws -> T {
        try convert(value(key), codingPath + [key])
    }

    func decode(_: Bool.Type, forKey key: Key) throws -> Bool { try read(key) { try $0.luaCodingBool(at: $1) } }
    func decode(_: String.Type, forKey key: Key) throws -> String { try read(key) { try $0.luaCodingString(at: $1) } }
    func decode(_: Double.Type, forKey key: Key) throws -> Double { try read(key) { try $0.luaCodingDouble(at: $1) } }
    func decode(_: Float.Type, forKey key: Key) throws -> Float { try read(key) { try $0.luaCodingFloat(at: $1) } }
    func decode(_ t: Int.Type, forKey key: Key) throws -> Int { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: Int8.Type, forKey key: Key) throws -> Int8 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: Int16.Type, forKey key: Key) throws -> Int16 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: Int32.Type, forKey key: Key) throws -> Int32 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: Int64.Type, forKey key: Key) throws -> Int64 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    @available(macOS 15.0, *)
    func decode(_ t: Int128.Type, forKey key: Key) throws -> Int128 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: UInt.Type, forKey key: Key) throws -> UInt { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: UInt8.Type, forKey key: Key) throws -> UInt8 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: UInt16.Type, forKey key: Key) throws -> UInt16 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: UInt32.Type, forKey key: Key) throws -> UInt32 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    func decode(_ t: UInt64.Type, forKey key: Key) throws -> UInt64 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }
    @available(macOS 15.0, *)
    func decode(_ t: UInt128.Type, forKey key: Key) throws -> UInt128 { try read(key) { try $0.luaCodingInteger(t, at: $1) } }

    func decode<T: Decodable>(_: T.Type, forKey key: Key) throws -> T {
        try read(key) { try LuaCodingDecoder.unbox(T.self, from: $0, at: $1) }
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try read(key) { KeyedDecodingContainer(try LuaCodingKeyedDecoding<NestedKey>(decoder: decoder, value: $0, path: $1)) }
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try read(key) { try LuaCodingUnkeyedDecoding(decoder: decoder, value: $0, path: $1) }
    }

    func superDecoder() throws -> any Decoder { throw luaCodingUnsupportedSuper(codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw luaCodingUnsupportedSuper(codingPath + [key]) }
}

struct LuaCodingUnkeyedDecoding: UnkeyedDecodingContainer {
    let decoder: LuaCodingDecoder
    let elements: [LuaValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(decoder: LuaCodingDecoder, value: LuaValue, path: [any CodingKey]) throws {
        switch value {
        case .array(let items): elements = items
        // `{}` in Lua is both an empty list and an empty record; LuaValue calls it a table.
        case .table(let t) where t.isEmpty: elements = []
        default: throw LuaArgumentError(codingPath: path, problem: "array expected, got \(value.typeName)")
        }
        self.decoder = decoder
        self.codingPath = path
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    // Advances only on success, as the protocol requires, so a caller may retry another type.
    private mutating func next<T>(_ convert: (LuaValue, [any CodingKey]) throws -> T) throws -> T {
        let path = codingPath + [LuaCodingIndexKey(index: currentIndex)]
        guard !isAtEnd else { throw LuaArgumentError(codingPath: path, problem: "missing required argument") }
        let result = try convert(elements[currentIndex], path)
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        let isNil = try next { value, _ in value.isNil }
        if !isNil { currentIndex -= 1 }  // only a nil is consumed; anything else is decoded next
        return isNil
    }

    mutating func decode(_: Bool.Type) throws -> Bool { try next { try $0.luaCodingBool(at: $1) } }
    mutating func decode(_: String.Type) throws -> String { try next { try $0.luaCodingString(at: $1) } }
    mutating func decode(_: Double.Type) throws -> Double { try next { try $0.luaCodingDouble(at: $1) } }
    mutating func decode(_: Float.Type) throws -> Float { try next { try $0.luaCodingFloat(at: $1) } }
    mutating func decode(_ t: Int.Type) throws -> Int { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: Int8.Type) throws -> Int8 { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: Int16.Type) throws -> Int16 { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: Int32.Type) throws -> Int32 { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: Int64.Type) throws -> Int64 { try next { try $0.luaCodingInteger(t, at: $1) } }
    @available(macOS 15.0, *)
    mutating func decode(_ t: Int128.Type) throws -> Int128 { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: UInt.Type) throws -> UInt { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: UInt8.Type) throws -> UInt8 { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: UInt16.Type) throws -> UInt16 { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: UInt32.Type) throws -> UInt32 { try next { try $0.luaCodingInteger(t, at: $1) } }
    mutating func decode(_ t: UInt64.Type) throws -> UInt64 { try next { try $0.luaCodingInteger(t, at: $1) } }
    @available(macOS 15.0, *)
    mutating func decode(_ t: UInt128.Type) throws -> UInt128 { try next { try $0.luaCodingInteger(t, at: $1) } }

    mutating func decode<T: Decodable>(_: T.Type) throws -> T {
        try next { try LuaCodingDecoder.unbox(T.self, from: $0, at: $1) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next { [decoder] in KeyedDecodingContainer(try LuaCodingKeyedDecoding<NestedKey>(decoder: decoder, value: $0, path: $1)) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { [decoder] in try LuaCodingUnkeyedDecoding(decoder: decoder, value: $0, path: $1) }
    }

    mutating func superDecoder() throws -> any Decoder { throw luaCodingUnsupportedSuper(codingPath) }
}

struct LuaCodingSingleValueDecoding: SingleValueDecodingContainer {
    let decoder: LuaCodingDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    private var value: LuaValue { decoder.value }

    func decodeNil() -> Bool { value.isNil }
    func decode(_: Bool.Type) throws -> Bool { try value.luaCodingBool(at: codingPath) }
    func decode(_: String.Type) throws -> String { try value.luaCodingString(at: codingPath) }
    func decode(_: Double.Type) throws -> Double { try value.luaCodingDouble(at: codingPath) }
    func decode(_: Float.Type) throws -> Float { try value.luaCodingFloat(at: codingPath) }
    func decode(_ t: Int.Type) throws -> Int { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: Int8.Type) throws -> Int8 { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: Int16.Type) throws -> Int16 { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: Int32.Type) throws -> Int32 { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: Int64.Type) throws -> Int64 { try value.luaCodingInteger(t, at: codingPath) }
    @available(macOS 15.0, *)
    func decode(_ t: Int128.Type) throws -> Int128 { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: UInt.Type) throws -> UInt { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: UInt8.Type) throws -> UInt8 { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: UInt16.Type) throws -> UInt16 { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: UInt32.Type) throws -> UInt32 { try value.luaCodingInteger(t, at: codingPath) }
    func decode(_ t: UInt64.Type) throws -> UInt64 { try value.luaCodingInteger(t, at: codingPath) }
    @available(macOS 15.0, *)
    func decode(_ t: UInt128.Type) throws -> UInt128 { try value.luaCodingInteger(t, at: codingPath) }

    func decode<T: Decodable>(_: T.Type) throws -> T {
        try LuaCodingDecoder.unbox(T.self, from: value, at: codingPath)
    }
}
