/// Decodes a native step's keyword table into a typed Swift value.
///
/// Stricter than JSONDecoder on purpose: a misspelled key in a script is a bug the author
/// wants to hear about before the step runs, so keys the type never reads are rejected, and
/// there is no truthiness or string/number coercion. Every failure is a `LuaArgumentError`.
public struct LuaValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: LuaValue) throws -> T {
        try LuaCodingDecoder.unbox(type, from: value, at: [])
    }
}

/// The keys one table was asked about. A class so every container over the same table
/// (a type may open its container more than once) adds to one record.
final class LuaCodingKeyUsage {
    let path: [any CodingKey]
    let table: [String: LuaValue]
    var asked: Set<String> = []

    init(path: [any CodingKey], table: [String: LuaValue]) {
        self.path = path
        self.table = table
    }
}

final class LuaCodingDecoder: Decoder {
    let value: LuaValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Keyed containers opened on this value or below it through nested containers; values
    /// decoded through `decode(_:forKey:)` get their own decoder and are checked there.
    private var usages: [String: LuaCodingKeyUsage] = [:]

    init(value: LuaValue, codingPath: [any CodingKey]) {
        self.value = value
        self.codingPath = codingPath
    }

    /// The one place a value becomes a `T`: unknown keys can only be judged once `T` has
    /// finished reading, and foreign `DecodingError`s (from `RawRepresentable` or a
    /// hand-written `init(from:)`) are reworded here so callers see one error type.
    static func unbox<T: Decodable>(_ type: T.Type, from value: LuaValue, at path: [any CodingKey]) throws -> T {
        if T.self == LuaValue.self { return value as! T }
        let decoder = LuaCodingDecoder(value: value, codingPath: path)
        let result: T
        do {
            result = try T(from: decoder)
        } catch let error as DecodingError {
            throw reword(error, decoding: T.self, from: value, at: path)
        }
        try decoder.rejectUnknownKeys()
        return result
    }

    func usage(of table: [String: LuaValue], at path: [any CodingKey]) -> LuaCodingKeyUsage {
        let id = path.map(\.stringValue).joined(separator: "\u{1}")
        if let existing = usages[id] { return existing }
        let usage = LuaCodingKeyUsage(path: path, table: table)
        usages[id] = usage
        return usage
    }

    private func rejectUnknownKeys() throws {
        for usage in usages.values.sorted(by: { $0.path.count < $1.path.count }) {
            let unknown = usage.table.keys.filter { !usage.asked.contains($0) }.sorted()
            guard !unknown.isEmpty else { continue }
            let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
            let noun = unknown.count == 1 ? "argument" : "arguments"
            let expected = usage.asked.isEmpty
                ? "no arguments expected" : "expected one of: " + usage.asked.sorted().joined(separator: ", ")
            throw LuaArgumentError(codingPath: usage.path, problem: "unknown \(noun) \(names) (\(expected))")
        }
    }

    private static func reword<T>(
        _ error: DecodingError, decoding type: T.Type, from value: LuaValue, at path: [any CodingKey]
    ) -> LuaArgumentError {
        switch error {
        case .keyNotFound(let key, let context):
            return LuaArgumentError(codingPath: context.codingPath + [key], problem: "missing required argument")
        case .valueNotFound(_, let context):
            return LuaArgumentError(codingPath: context.codingPath, problem: "missing required argument")
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            // An enum's synthesized init reports only "cannot initialize"; naming the allowed
            // values is what the script author actually needs.
            if context.codingPath.count == path.count,
                let enumType = T.self as? any (RawRepresentable & CaseIterable).Type
            {
                let shown: String = switch value {
                case .string(let s): "'\(s)'"
                case .int(let i): "\(i)"
                case .double(let d): "\(d)"
                default: value.typeName
                }
                let cases = luaCodingRawValues(of: enumType).joined(separator: ", ")
                return LuaArgumentError(codingPath: path, problem: "invalid value \(shown) (expected one of: \(cases))")
            }
            return LuaArgumentError(codingPath: context.codingPath, problem: context.debugDescription)
        @unknown default:
            return LuaArgumentError(codingPath: path, problem: "\(error)")
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try LuaCodingKeyedDecoding<Key>(decoder: self, value: value, path: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try LuaCodingUnkeyedDecoding(decoder: self, value: value, path: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        LuaCodingSingleValueDecoding(decoder: self)
    }
}

private func luaCodingRawValues<E: RawRepresentable & CaseIterable>(of type: E.Type) -> [String] {
    E.allCases.map { "\($0.rawValue)" }
}

/// Lua's own conversion rules (lua_tointegerx and friends), minus the string-to-number
/// coercion, which would hide type mistakes in scripts.
extension LuaValue {
    private func luaCodingMismatch(_ expected: String, _ path: [any CodingKey]) -> LuaArgumentError {
        LuaArgumentError(codingPath: path, problem: "\(expected) expected, got \(typeName)")
    }

    func luaCodingBool(at path: [any CodingKey]) throws -> Bool {
        if case .bool(let b) = self { return b }
        throw luaCodingMismatch("boolean", path)
    }

    func luaCodingString(at path: [any CodingKey]) throws -> String {
        switch self {
        case .string(let s): return s
        case .bytes: throw LuaArgumentError(codingPath: path, problem: "string is not valid UTF-8")
        default: throw luaCodingMismatch("string", path)
        }
    }

    func luaCodingInteger<I: FixedWidthInteger>(_ type: I.Type, at path: [any CodingKey]) throws -> I {
        switch self {
        case .int(let i):
            if let result = I(exactly: i) { return result }
            throw LuaArgumentError(codingPath: path, problem: "value out of range for \(I.self): \(i)")
        case .double(let d):
            // Lua division always yields a float, so `100 / 10` must still pass as an integer.
            guard d.isFinite, d == d.rounded(.towardZero) else {
                throw LuaArgumentError(codingPath: path, problem: "integer expected, got float \(d)")
            }
            if let result = I(exactly: d) { return result }
            throw LuaArgumentError(codingPath: path, problem: "value out of range for \(I.self): \(d)")
        default:
            throw luaCodingMismatch("number", path)
        }
    }

    func luaCodingDouble(at path: [any CodingKey]) throws -> Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw luaCodingMismatch("number", path)
        }
    }

    func luaCodingFloat(at path: [any CodingKey]) throws -> Float {
        let d = try luaCodingDouble(at: path)
        let f = Float(d)
        if f.isInfinite && d.isFinite {
            throw LuaArgumentError(codingPath: path, problem: "value out of range for Float: \(d)")
        }
        return f
    }
}
