import FlowLua

/// One value of a scenario and where it is, for errors that name the path. Reading a table
/// rejects keys it does not know, as the step decoders do.
struct ScenarioReader {
    let value: LuaValue
    let path: [String]

    init(_ value: LuaValue, path: [String]) {
        self.value = value
        self.path = path
    }

    func error(_ problem: String) -> SimulatedCloudError {
        SimulatedCloudError(path: path, problem: problem)
    }

    /// `got -1`, `got string "x"`, `got table`.
    var shown: String {
        switch value {
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): "string \"\(s)\""
        case .bool(let b): "\(b)"
        default: value.typeName
        }
    }

    /// A keyword table: its fields by name, any key outside `allowed` an error.
    func fields(_ allowed: [String]) throws -> [String: ScenarioReader] {
        guard case .table(let table) = value else {
            if case .array = value { throw error("expected a table with named fields, got a list") }
            throw error("expected a table, got \(shown)")
        }
        var out: [String: ScenarioReader] = [:]
        for (key, v) in table {
            guard allowed.contains(key) else {
                throw SimulatedCloudError(path: path + [key], problem: "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            }
            out[key] = ScenarioReader(v, path: path + [key])
        }
        return out
    }

    /// A table keyed by names (target groups, alarms, URLs), in key order.
    func entries() throws -> [(key: String, value: ScenarioReader)] {
        switch value {
        case .table(let table):
            return table.keys.sorted().map { ($0, ScenarioReader(table[$0] ?? .nil, path: path + [$0])) }
        case .array:
            throw error("expected a table keyed by name, got a list")
        default:
            throw error("expected a table keyed by name, got \(shown)")
        }
    }

    /// A sequence; `{}` is the empty one.
    func list() throws -> [ScenarioReader] {
        switch value {
        case .array(let items): return items.enumerated().map { ScenarioReader($1, path: path + ["[\($0 + 1)]"]) }
        case .table(let t) where t.isEmpty: return []
        case .table: throw error("expected a list, got a table with named fields")
        default: throw error("expected a list, got \(shown)")
        }
    }

    func string(nonEmpty: Bool = true) throws -> String {
        guard case .string(let s) = value else { throw error("expected a string, got \(shown)") }
        if nonEmpty, s.allSatisfy(\.isWhitespace) { throw error("must not be empty") }
        return s
    }

    func oneOf(_ allowed: [String]) throws -> String {
        let s = try string()
        guard allowed.contains(s) else { throw error("expected one of \(allowed.joined(separator: ", ")), got \"\(s)\"") }
        return s
    }

    func int(_ range: ClosedRange<Int>, _ what: String) throws -> Int {
        let n: Int? = switch value {
        case .int(let i): Int(exactly: i)
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: Int(d)
        default: nil
        }
        guard let n, range.contains(n) else { throw error("expected \(what), got \(shown)") }
        return n
    }

    func number(_ what: String, atLeast minimum: Double = -.infinity) throws -> Double {
        let d: Double? = switch value {
        case .int(let i): Double(i)
        case .double(let d) where d.isFinite: d
        default: nil
        }
        guard let d, d >= minimum else { throw error("expected \(what), got \(shown)") }
        return d
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw error("expected true or false, got \(shown)") }
        return b
    }
}
