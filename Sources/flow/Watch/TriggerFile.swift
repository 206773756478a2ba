import FlowEngine
import FlowEvents
import FlowLua
import FlowTriggers
import Foundation

/// A trigger declared in Lua (`flow watch canary.trigger.lua`): the same settings as the command
/// line's, in a file a team keeps next to its workflow. The file runs once, sandboxed, and calls
/// `flow.trigger{...}`; paths in it are relative to the file, so it works from any directory.
/// Command-line options given as well win over the file's values, field by field.
struct TriggerFile {
    var source: String?
    /// The pattern's JSON text and where it came from (for error messages).
    var pattern: (text: String, origin: String)?
    /// Absolute.
    var workflow: String?
    var key: String?
    var policy: TriggerPolicy?
    var name: String?
    var params: [String: LuaValue] = [:]

    static let fields: Set<String> = ["source", "pattern", "run", "key", "policy", "name", "params"]

    /// Runs the file and reads what its `flow.trigger{...}` call declared. Every problem is a
    /// usage error naming the file and line.
    static func load(path: String) throws -> TriggerFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError(.usage, "trigger file \(path) cannot be read")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
        let declared = try run(Array(data), path: path)
        var file = TriggerFile()
        let fields = declared.fields
        let at = declared.location
        if let unknown = fields.keys.filter({ !Self.fields.contains($0) }).sorted().first {
            throw RunError(.usage, "\(at): flow.trigger: unknown field '\(unknown)' (known: \(Self.fields.sorted().joined(separator: ", ")))")
        }
        file.source = try string(fields["source"], "source", at).map { source in
            // A file of events named in the trigger file sits next to it, as its other paths do.
            guard source.hasPrefix("file:") else { return source }
            return "file:" + resolve(String(source.dropFirst(5)), in: directory)
        }
        file.workflow = try string(fields["run"], "run", at).map { resolve($0, in: directory) }
        file.name = try string(fields["name"], "name", at)
        if let name = file.name {
            do { try TriggerLayout.validate(name: name) } catch { throw RunError(.usage, "\(at): flow.trigger: name: \(error.message)") }
        }
        if let p = try string(fields["policy"], "policy", at) {
            guard let policy = TriggerPolicy(rawValue: p) else {
                throw RunError(.usage, "\(at): flow.trigger: policy must be reject, queue or supersede, not '\(p)'")
            }
            file.policy = policy
        }
        file.key = try key(fields["key"], at)
        file.pattern = try pattern(fields["pattern"], at, directory: directory)
        switch fields["params"] {
        case nil, .nil?: break
        case .table(let t)?: file.params = t
        case let other?:
            throw RunError(.usage, "\(at): flow.trigger: params must be a table of NAME = VALUE, not a \(other.typeName)")
        }
        return file
    }

    private static func resolve(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }

    private static func string(_ value: LuaValue?, _ field: String, _ at: String) throws -> String? {
        switch value {
        case nil, .nil?: return nil
        case .string(let s)?:
            guard !s.isEmpty else { throw RunError(.usage, "\(at): flow.trigger: \(field) is empty") }
            return s
        case let other?: throw RunError(.usage, "\(at): flow.trigger: \(field) must be a string, not a \(other.typeName)")
        }
    }

    /// "a.b,c" or { "a.b", "c" }, checked as `--key` is.
    private static func key(_ value: LuaValue?, _ at: String) throws -> String? {
        let text: String
        switch value {
        case nil, .nil?: return nil
        case .string(let s)?: text = s
        case .array(let items)?:
            text = try items.enumerated().map { i, item in
                guard case .string(let s) = item else {
                    throw RunError(.usage, "\(at): flow.trigger: key[\(i + 1)] must be a string path, not a \(item.typeName)")
                }
                return s
            }.joined(separator: ",")
        case let other?:
            throw RunError(.usage, "\(at): flow.trigger: key must be a string or a list of paths, not a \(other.typeName)")
        }
        do { _ = try KeyExpression(text) } catch { throw RunError(.usage, "\(at): flow.trigger: key: \(error.message)") }
        return text
    }

    /// A table (the pattern itself), JSON text (starting with `{`), or a JSON file's path.
    private static func pattern(_ value: LuaValue?, _ at: String, directory: String) throws -> (text: String, origin: String)? {
        switch value {
        case nil, .nil?:
            return nil
        case .string(let s)? where s.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{"):
            return (s, "\(at): flow.trigger: pattern")
        case .string(let s)?:
            let full = resolve(s, in: directory)
            guard let data = FileManager.default.contents(atPath: full) else {
                throw RunError(.usage, "\(at): flow.trigger: pattern file \(full) cannot be read")
            }
            return (String(decoding: data, as: UTF8.self), "\(at): flow.trigger: pattern file \(full)")
        case .table?, .array?:
            return (try json(value ?? .nil, path: "pattern", at).description, "\(at): flow.trigger: pattern")
        case let other?:
            throw RunError(.usage, "\(at): flow.trigger: pattern must be a table, JSON text or a JSON file's path, not a \(other.typeName)")
        }
    }

    /// A Lua table as the JSON EventBridge reads: sequences are arrays, other tables objects.
    /// JSON's `null` has no Lua spelling: a pattern that needs it is given as JSON.
    static func json(_ value: LuaValue, path: String, _ at: String) throws -> JSONValue {
        switch value {
        case .nil: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(JSONNumber(Int(i)))
        case .double(let d):
            guard d.isFinite else { throw RunError(.usage, "\(at): flow.trigger: \(path) is \(d), which JSON cannot hold") }
            return .number(JSONNumber(d))
        case .string(let s): return .string(s)
        case .bytes: throw RunError(.usage, "\(at): flow.trigger: \(path) is not valid UTF-8")
        case .array(let items):
            return .array(try items.enumerated().map { try json($1, path: "\(path)[\($0 + 1)]", at) })
        case .table(let fields):
            return .object(try fields.reduce(into: [:]) { $0[$1.key] = try json($1.value, path: "\(path).\($1.key)", at) })
        }
    }

    // MARK: running the file

    /// What the file's `flow.trigger{...}` call passed, and the file:line of the call.
    struct Declared {
        var fields: [String: LuaValue]
        var location: String
    }

    /// Boxes the host functions' findings: they run inside Lua's call, on this thread.
    private final class Collector {
        var declared: Declared?
        var problem: String?
    }

    static let timeLimit = 5.0

    private static func run(_ source: [UInt8], path: String) throws -> Declared {
        let collector = Collector()
        do {
            let lua = try LuaState(limits: LuaLimits())
            lua.setDeadline(secondsFromNow: timeLimit)
            let env = try lua.makeSandbox()
            let flow = lua.makeHostTable(prefix: "flow", functions: [
                "trigger": { call in
                    let at = call.location() ?? path
                    guard collector.declared == nil else {
                        throw LuaHostError("flow.trigger: called twice in one file (the first call declares the trigger)")
                    }
                    guard call.count >= 1, case .table(let t) = try call.value(1) else {
                        throw LuaHostError("flow.trigger: expects a table: flow.trigger{ source = ..., pattern = ..., run = ... }")
                    }
                    collector.declared = Declared(fields: t, location: at)
                    return .values([])
                },
                "env": { call in
                    guard call.count >= 1, case .string(let name) = try call.value(1) else {
                        throw LuaHostError("flow.env: expects a variable's name")
                    }
                    if let value = ProcessInfo.processInfo.environment[name] { return .values([.string(value)]) }
                    if call.count >= 2, case .string(let fallback) = try call.value(2) { return .values([.string(fallback)]) }
                    throw LuaHostError("flow.env: \(name) is not set (give a default: flow.env(\"\(name)\", \"...\"))")
                },
            ])
            let install = try lua.load("local env, flow = ...; env.flow = flow", chunkName: "=flow.trigger")
            _ = try lua.call(install, [.ref(env), .ref(flow)])
            let chunk = try lua.load(source, chunkName: "@" + path, environment: env)
            _ = try lua.call(chunk)
        } catch let e as LuaError {
            if LuaError.splitLocation(e.message).text == "timed out" {
                throw RunError(.usage, "\(e.location ?? path): the trigger file ran for \(Int(timeLimit)) s without finishing (it should only declare the trigger)")
            }
            throw RunError(.usage, e.message)
        }
        guard let declared = collector.declared else {
            throw RunError(.usage, "\(path): declares no trigger: call flow.trigger{ source = ..., pattern = ..., run = ... }")
        }
        return declared
    }
}
