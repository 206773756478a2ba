import FlowLua

/// LuaValue in journal bytes. Map keys are written sorted, so one value always has one
/// encoding: the argument digests that replay compares are computed over these bytes.
enum ValueCodec {
    private enum Tag: UInt8 {
        case null = 0, falseValue, trueValue, int, double, string, bytes, array, table
    }

    static func write(_ value: LuaValue, to w: inout ByteWriter) {
        switch value {
        case .nil: w.byte(Tag.null.rawValue)
        case .bool(let b): w.byte(b ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case .int(let i):
            w.byte(Tag.int.rawValue)
            w.varint(i)
        case .double(let d):
            w.byte(Tag.double.rawValue)
            w.fixed64(d.bitPattern)
        case .string(let s):
            w.byte(Tag.string.rawValue)
            w.string(s)
        case .bytes(let b):
            w.byte(Tag.bytes.rawValue)
            w.raw(b)
        case .array(let items):
            w.byte(Tag.array.rawValue)
            w.uvarint(UInt64(items.count))
            for item in items { write(item, to: &w) }
        case .table(let fields):
            w.byte(Tag.table.rawValue)
            w.uvarint(UInt64(fields.count))
            for key in fields.keys.sorted() {
                w.string(key)
                write(fields[key]!, to: &w)
            }
        }
    }

    static func read(from r: inout ByteReader, depth: Int = 0) throws -> LuaValue {
        guard depth < 100 else { throw JournalDecodeError.malformed("value nested too deeply") }
        guard let tag = Tag(rawValue: try r.byte()) else { throw JournalDecodeError.malformed("unknown value tag") }
        switch tag {
        case .null: return .nil
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .int: return .int(try r.varint())
        case .double: return .double(Double(bitPattern: try r.fixed64()))
        case .string: return .string(try r.string())
        case .bytes: return .bytes(Array(try r.raw()))
        case .array:
            let n = try r.uvarint()
            guard n <= UInt64(r.remaining) else { throw JournalDecodeError.truncated }
            var items: [LuaValue] = []
            items.reserveCapacity(Int(n))
            for _ in 0..<n { items.append(try read(from: &r, depth: depth + 1)) }
            return .array(items)
        case .table:
            let n = try r.uvarint()
            guard n <= UInt64(r.remaining) else { throw JournalDecodeError.truncated }
            var fields: [String: LuaValue] = [:]
            fields.reserveCapacity(Int(n))
            for _ in 0..<n {
                let k = try r.string()
                fields[k] = try read(from: &r, depth: depth + 1)
            }
            return .table(fields)
        }
    }

    static func encode(_ value: LuaValue) -> [UInt8] {
        var w = ByteWriter()
        write(value, to: &w)
        return w.bytes
    }
}
