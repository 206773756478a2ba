import FlowLua

/// A gate's measured values in a few words: `targets.healthy=2 targets.total=2 http.p95_ms=41.2`.
/// Nested verdicts (`health.all`'s) lose their `status`, `reason` and `value` levels.
enum MeasuredValues {
    static func summary(_ value: LuaValue, limit: Int = 6) -> String {
        var pairs: [String] = []
        flatten(value, path: "", into: &pairs)
        // Too many to show: the counts that are zero say the least.
        if pairs.count > limit { pairs.removeAll { $0.hasSuffix("=0") } }
        let shown = pairs.prefix(limit).joined(separator: " ")
        return pairs.count > limit ? shown + " …" : shown
    }

    private static func flatten(_ value: LuaValue, path: String, into pairs: inout [String]) {
        switch value {
        case .nil:
            return
        case .table(let fields):
            for key in fields.keys.sorted() where key != "status" && key != "reason" {
                flatten(fields[key]!, path: key == "value" ? path : (path.isEmpty ? key : path + "." + key), into: &pairs)
            }
        case .array(let items):
            // Lists of records (each target's state) are detail for `flow show`.
            let scalars = items.compactMap(scalar)
            guard scalars.count == items.count else { return }
            let text = items.count <= 4 ? scalars.joined(separator: ",") : "\(items.count) values"
            pairs.append(path.isEmpty ? "[\(text)]" : "\(path)=[\(text)]")
        default:
            if let s = scalar(value) { pairs.append(path.isEmpty ? s : "\(path)=\(s)") }
        }
    }

    static func scalar(_ value: LuaValue) -> String? {
        switch value {
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .string(let s): return TextFit.shorten(s, to: 40)
        case .bytes(let b): return "<\(b.count) bytes>"
        default: return nil
        }
    }

    /// Whole above 1000, two decimals above 1, three significant digits below.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return String(d) }
        if d == d.rounded() || abs(d) >= 1000, abs(d) < 1e15 { return String(Int64(d.rounded())) }
        var s = abs(d) >= 1 ? String(format: "%.2f", d) : String(format: "%.3g", d)
        if s.contains("."), !s.contains("e") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
