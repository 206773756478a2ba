import FlowLua

/// A value as a person reads it in a table: JSON-like, but a float is just a number (the
/// tagged `{"$float": ...}` form of `--json` exists for machines that must round-trip it).
enum ValueText {
    static func render(_ value: LuaValue) -> String {
        switch value {
        case .nil: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite && d == d.rounded() && abs(d) < 1e15 ? String(format1(d)) : String(d)
        case .string(let s): return JSONText.render(s)
        case .bytes(let b): return "<\(b.count) bytes>"
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .table(let fields):
            return "{" + fields.keys.sorted().map { JSONText.render($0) + ":" + render(fields[$0]!) }.joined(separator: ",") + "}"
        }
    }

    private static func format1(_ d: Double) -> String { String(Int64(d)) + ".0" }
}
