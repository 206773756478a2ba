import FlowLua
import Foundation

/// A journaled value as a person reads it in a table or a page: JSON-like and compact, but a
/// float is just a number (the tagged `{"$float": ...}` form of `--json` is for machines that
/// must round-trip it). Shared by `flow show` and the dashboard.
public enum ReadableValue {
    public static func render(_ value: LuaValue) -> String {
        switch value {
        case .nil: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite && d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) + ".0" : String(d)
        case .string(let s): return quote(s)
        case .bytes(let b): return "<\(b.count) bytes>"
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .table(let fields):
            return "{" + fields.keys.sorted().map { quote($0) + ":" + render(fields[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal, slashes left alone.
    public static func quote(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(s) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}
