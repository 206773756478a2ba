import Foundation
import FlowLua

/// `flow.params{ name = default, other = flow.required "number" }`: the caller's raw values
/// (strings from `--param k=v`, JSON values from `--params FILE`) typed by the declaration.
enum Params {
    struct Declaration {
        var required: Bool
        var type: String?
        var defaultValue: LuaValue
    }

    struct Problem: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func parse(_ spec: LuaValue) throws -> [String: Declaration] {
        guard case .table(let fields) = spec else { return [:] }
        var out: [String: Declaration] = [:]
        for (name, d) in fields {
            if d["required"] == .bool(true) {
                out[name] = Declaration(required: true, type: d["type"].stringValue, defaultValue: .nil)
            } else {
                out[name] = Declaration(required: false, type: nil, defaultValue: d["default"])
            }
        }
        return out
    }

    static func resolve(_ decls: [String: Declaration], raw: [String: LuaValue]) throws -> LuaValue {
        let unknown = raw.keys.filter { decls[$0] == nil }.sorted()
        if let first = unknown.first {
            let known = decls.keys.sorted().joined(separator: ", ")
            throw Problem(message: "unknown parameter '\(first)' (the workflow declares: \(known.isEmpty ? "none" : known))")
        }
        var out: [String: LuaValue] = [:]
        for (name, decl) in decls.sorted(by: { $0.key < $1.key }) {
            guard let value = raw[name] else {
                if decl.required {
                    throw Problem(message: "missing required parameter '\(name)' (pass --param \(name)=VALUE)")
                }
                out[name] = decl.defaultValue
                continue
            }
            let type = decl.required ? decl.type : typeName(of: decl.defaultValue)
            out[name] = try coerce(value, to: type, name: name)
        }
        return .table(out)
    }

    static func typeName(of v: LuaValue) -> String? {
        switch v {
        case .int: "integer"
        case .double: "number"
        case .bool: "boolean"
        case .string, .bytes: "string"
        case .array, .table: "table"
        case .nil: nil
        }
    }

    static func coerce(_ v: LuaValue, to type: String?, name: String) throws -> LuaValue {
        func bad(_ why: String) -> Problem { Problem(message: "parameter '\(name)': \(why)") }
        guard let type else { return v }
        let text = v.stringValue
        switch (type, v) {
        case ("string", .string), ("string", .bytes): return v
        case ("integer", .int): return v
        case ("integer", .double(let d)) where d.rounded() == d && abs(d) < 9.2e18: return .int(Int64(d))
        case ("integer", _):
            if let t = text, let i = Int64(t.trimmingCharacters(in: .whitespaces)) { return .int(i) }
            throw bad("an integer is expected, got \(describe(v))")
        case ("number", .int), ("number", .double): return v
        case ("number", _):
            if let t = text?.trimmingCharacters(in: .whitespaces) {
                if let i = Int64(t) { return .int(i) }
                if let d = Double(t), d.isFinite { return .double(d) }
            }
            throw bad("a number is expected, got \(describe(v))")
        case ("boolean", .bool): return v
        case ("boolean", _):
            switch text?.lowercased() {
            case "true", "yes", "1", "on": return .bool(true)
            case "false", "no", "0", "off": return .bool(false)
            default: throw bad("true or false is expected, got \(describe(v))")
            }
        case ("table", .table), ("table", .array): return v
        case ("table", _):
            if let t = text, let data = t.data(using: .utf8),
               let parsed = try? JSONDecoder().decode(LuaValue.self, from: data) {
                if case .table = parsed { return parsed }
                if case .array = parsed { return parsed }
            }
            throw bad("a JSON object or array is expected, got \(describe(v))")
        default:
            throw bad("a \(type) is expected, got \(describe(v))")
        }
    }

    static func describe(_ v: LuaValue) -> String {
        if let s = v.stringValue { return "'\(s)'" }
        return v.detailedTypeName
    }

    /// `--param k=v` strings and the object of a `--params FILE.json`, merged (flags win).
    public static func raw(pairs: [String], file: String?) throws -> [String: LuaValue] {
        var out: [String: LuaValue] = [:]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Problem(message: "--params: cannot read \(file)")
            }
            let parsed: LuaValue
            do {
                parsed = try JSONDecoder().decode(LuaValue.self, from: data)
            } catch {
                throw Problem(message: "--params: \(file) is not valid JSON: \(error)")
            }
            guard case .table(let fields) = parsed else {
                throw Problem(message: "--params: \(file) must hold a JSON object of parameter names to values")
            }
            out = fields
        }
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw Problem(message: "--param '\(pair)': expected NAME=VALUE")
            }
            out[String(pair[..<eq])] = .string(String(pair[pair.index(after: eq)...]))
        }
        return out
    }
}

/// Public entry for the CLI.
public enum ParameterInput {
    public static func parse(pairs: [String], file: String?) throws -> [String: LuaValue] {
        do {
            return try Params.raw(pairs: pairs, file: file)
        } catch let p as Params.Problem {
            throw RunError(.usage, p.message)
        }
    }
}
