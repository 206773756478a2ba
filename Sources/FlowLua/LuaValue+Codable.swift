/// With LuaValueEncoder/LuaValueDecoder a LuaValue passes through untouched. With any other
/// coder (JSONEncoder/JSONDecoder in particular) it maps onto plain data like this:
///
/// | LuaValue                      | JSON                                             |
/// |-------------------------------|--------------------------------------------------|
/// | `.nil`, `.bool`, `.string`    | `null`, `true`/`false`, string                   |
/// | `.int(n)`                     | number without fraction: `10`                    |
/// | `.double(d)` with a fraction  | number: `1.5`                                    |
/// | other `.double` (integral, ±inf, nan) | `{"$float": "10.0"}`                     |
/// | `.bytes(b)`                   | `{"$bytes": "<base64>"}`                         |
/// | `.array`                      | array                                            |
/// | `.table`                      | object; `{"$table": {...}}` if its only key starts with `$` |
///
/// Integral floats are tagged because JSONEncoder writes `10.0` as `10` and JSONDecoder
/// cannot tell the spellings apart; without the tag a journaled `100 / 10` would replay as
/// an integer and `tostring` would print `10` instead of `10.0`. The `$table` escape keeps
/// a table that merely looks like a tag from being read back as one, so the mapping is
/// lossless both ways. Going the other way, a plain JSON number becomes `.int` when it is an
/// exact 64-bit integer (`10`, `10.0`, `1e2` alike: the decoder API hides the spelling) and
/// `.double` otherwise; `[]` becomes `.table([:])`, LuaValue's one form of `{}`.
extension LuaValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let lua = decoder as? LuaCodingDecoder {
            self = lua.value
        } else if let object = try? decoder.container(keyedBy: LuaCodingAnyKey.self) {
            self = try LuaValue.fromObject(object)
        } else if var list = try? decoder.unkeyedContainer() {
            var items: [LuaValue] = []
            while !list.isAtEnd { items.append(try list.decode(LuaValue.self)) }
            self = items.isEmpty ? .table([:]) : .array(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .nil
            } else if let b = try? single.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? single.decode(Int64.self) {
                self = .int(i)
            } else if let d = try? single.decode(Double.self) {
                self = .double(d)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    private static func fromObject(_ object: KeyedDecodingContainer<LuaCodingAnyKey>) throws -> LuaValue {
        let keys = object.allKeys
        if keys.count == 1, let tag = keys.first {
            func corrupt(_ what: String) -> DecodingError {
                .dataCorruptedError(forKey: tag, in: object, debugDescription: "invalid \(tag.stringValue) payload: \(what)")
            }
            switch tag.stringValue {
            case "$float":
                let text = try object.decode(String.self, forKey: tag)
                guard let d = Double(text) else { throw corrupt(text) }
                return .double(d)
            case "$bytes":
                let text = try object.decode(String.self, forKey: tag)
                guard let bytes = LuaCodingBase64.decode(text) else { throw corrupt(text) }
                return .bytes(bytes)
            case "$table":
                return try fields(of: object.nestedContainer(keyedBy: LuaCodingAnyKey.self, forKey: tag))
            default:
                break
            }
        }
        return try fields(of: object)
    }

    private static func fields(of object: KeyedDecodingContainer<LuaCodingAnyKey>) throws -> LuaValue {
        var table: [String: LuaValue] = [:]
        for key in object.allKeys {
            table[key.stringValue] = try object.decode(LuaValue.self, forKey: key)
        }
        return .table(table)
    }

    public func encode(to encoder: any Encoder) throws {
        if let lua = encoder as? LuaCodingEncoder {
            lua.node.shape = .scalar(self)
            return
        }
        switch self {
        case .nil:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let b):
            var single = encoder.singleValueContainer()
            try single.encode(b)
        case .int(let i):
            var single = encoder.singleValueContainer()
            try single.encode(i)
        case .double(let d) where d.isFinite && d != d.rounded(.towardZero):
            var single = encoder.singleValueContainer()
            try single.encode(d)
        case .double(let d):
            var object = encoder.container(keyedBy: LuaCodingAnyKey.self)
            try object.encode(String(d), forKey: LuaCodingAnyKey("$float"))
        case .string(let s):
            var single = encoder.singleValueContainer()
            try single.encode(s)
        case .bytes(let b):
            var object = encoder.container(keyedBy: LuaCodingAnyKey.self)
            try object.encode(LuaCodingBase64.encode(b), forKey: LuaCodingAnyKey("$bytes"))
        case .array(let items):
            var list = encoder.unkeyedContainer()
            for item in items { try list.encode(item) }
        case .table(let table):
            var object = encoder.container(keyedBy: LuaCodingAnyKey.self)
            // Sorted so the same table always serializes to the same bytes.
            let entries = table.sorted { $0.key < $1.key }
            if entries.count == 1, let (key, value) = entries.first, key.hasPrefix("$") {
                var inner = object.nestedContainer(keyedBy: LuaCodingAnyKey.self, forKey: LuaCodingAnyKey("$table"))
                try inner.encode(value, forKey: LuaCodingAnyKey(key))
            } else {
                for (key, value) in entries { try object.encode(value, forKey: LuaCodingAnyKey(key)) }
            }
        }
    }
}

/// Standard base64 (RFC 4648, padded); hand-rolled so FlowLua stays free of Foundation.
enum LuaCodingBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = bytes[start..<min(start + 3, bytes.count)]
            var n = 0 as UInt32
            for (i, b) in chunk.enumerated() { n |= UInt32(b) << (16 - 8 * i) }
            for i in 0..<4 {
                out.append(i <= chunk.count ? alphabet[Int(n >> (18 - 6 * i)) & 63] : UInt8(ascii: "="))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        for start in stride(from: 0, to: chars.count, by: 4) {
            var n = 0 as UInt32
            var padding = 0
            for (i, c) in chars[start..<start + 4].enumerated() {
                if c == UInt8(ascii: "=") && start + 4 == chars.count && i >= 2 {
                    padding += 1
                    continue
                }
                guard padding == 0, let v = alphabet.firstIndex(of: c) else { return nil }
                n |= UInt32(v) << (18 - 6 * i)
            }
            out.append(contentsOf: [UInt8(n >> 16), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)].prefix(3 - padding))
        }
        return out
    }
}
