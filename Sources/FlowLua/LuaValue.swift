#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Lua value that can cross the host boundary and be journaled: everything but functions,
/// userdata and threads. Integers and floats stay distinct, as in Lua 5.4.
///
/// Tables become `.array` when they are a sequence 1...n with n >= 1 and nothing else, and
/// `.table` (string keys) otherwise; an empty table is `.table([:])`. Tables with other keys,
/// holes or cycles are refused when read from Lua, with the path of the offending key.
public enum LuaValue: Sendable, Hashable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// A Lua string that is valid UTF-8.
    case string(String)
    /// A Lua string that is not valid UTF-8 (process output, binary data).
    case bytes([UInt8])
    case array([LuaValue])
    case table([String: LuaValue])
}

extension LuaValue {
    /// Lua's name for the value's type, as `type()` would say it.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string, .bytes: "string"
        case .array, .table: "table"
        }
    }

    /// Lua's own subtype wording, used in error messages ("number expected, got string").
    public var detailedTypeName: String {
        switch self {
        case .int: "integer"
        case .double: "float"
        default: typeName
        }
    }

    public var isNil: Bool { if case .nil = self { true } else { false } }

    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes Lua sees for a string value.
    public var byteValue: [UInt8]? {
        switch self {
        case .string(let s): Array(s.utf8)
        case .bytes(let b): b
        default: nil
        }
    }

    public subscript(key: String) -> LuaValue {
        if case .table(let t) = self { return t[key] ?? .nil }
        return .nil
    }

    /// Makes a string value from Lua bytes, keeping it a Swift String when it is valid UTF-8.
    public static func fromBytes(_ bytes: [UInt8]) -> LuaValue {
        bytes.withUnsafeBytes { raw in validString(raw) }.map { .string($0) } ?? .bytes(bytes)
    }

    /// Makes a string value from Lua bytes in place (a string argument on Lua's stack): no array
    /// unless the bytes are not UTF-8.
    static func fromBytes(_ bytes: UnsafeRawBufferPointer) -> LuaValue {
        validString(bytes).map { .string($0) } ?? .bytes(Array(bytes))
    }

    /// The bytes as a String when they are valid UTF-8. `String(validating:as:)` is generic
    /// over the encoding and looked up its type metadata on every call (a fifth of
    /// `hostStepBegin`'s time in a profile of a replay); decoding repairs invalid UTF-8, so the bytes were valid exactly when
    /// the decoded string's UTF-8 is the same bytes.
    static func validString(_ bytes: UnsafeRawBufferPointer) -> String? {
        let s = String(decoding: bytes, as: UTF8.self)
        guard s.utf8.count == bytes.count else { return nil }
        let same = s.utf8.withContiguousStorageIfAvailable { utf8 in
            bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        } ?? s.utf8.elementsEqual(bytes)
        return same ? s : nil
    }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .nil }
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, b in b }))
    }
}
