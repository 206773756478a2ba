import Foundation
import FlowLua

/// The keyword table of `gates.run{ gate = "error_rate", args = { ... } }`.
public struct LuaGateInput: Decodable, Sendable {
    /// NAME of `NAME.lua` on the search path.
    public var gate: String
    /// Handed to the gate's function as its second argument (`{}` when absent).
    public var args: StepValue?

    public init(gate: String, args: StepValue? = nil) {
        self.gate = gate
        self.args = args
    }
}

/// Gates teams write in Lua (`plugins/gates/NAME.lua` returning `function(ctx, args)`), offered
/// as one gate function, `gates.run`. Each call is one measurement; the engine polls it like
/// any gate. A gate reaches the world only through the read-only functions in `functions`.
public struct LuaGatePlugin: StepPlugin {
    static let pluginName = "gates"

    public let name = LuaGatePlugin.pluginName
    public let summary = "Custom gates written in Lua: NAME.lua on the gate search path returning function(ctx, args)"
    public let searchPath: [String]
    public let limits: LuaLimits
    public let timeout: Double
    public let functions: [StepFunction]

    /// `functions`: qualified name ("health.http_get") -> a read-only function gates may call.
    /// `limits` and `timeout` bound each measurement.
    public init(searchPath: [String], functions: [String: StepFunction],
                limits: LuaLimits = LuaLimits(memoryBytes: 64 << 20, instructions: 200_000_000),
                timeout: Double = 30)
    {
        self.searchPath = searchPath
        self.limits = limits
        self.timeout = timeout
        let config = GateScript.Config(limits: limits, timeout: timeout, functions: functions)
        self.functions = [Self.run(searchPath: searchPath, config: config)]
    }

    /// `--plugins DIR` entries first, then FLOW_PLUGIN_PATH (colon-separated), then
    /// `<workflow's dir>/../plugins/gates` and `<workflow's dir>/gates`, then `./plugins/gates`.
    /// A DIR may be the gates folder itself or a plugins folder holding `gates/`.
    public static func defaultSearchPath(workflowPath: String?, extra: [String], environment: [String: String]) -> [String] {
        GateSearchPath.build(workflowPath: workflowPath, extra: extra, environment: environment)
    }

    static func run(searchPath: [String], config: GateScript.Config) -> StepFunction {
        StepFunction.gate(
            "run", summary: "Run one measurement of the Lua gate NAME.lua: gates.run{ gate = NAME, args = {...} }",
            input: LuaGateInput.self, validate: validate
        ) { input, context in
            guard let path = GateSearchPath.find(input.gate, in: searchPath) else {
                throw GateError.notFound(input.gate, searched: searchPath)
            }
            // Read per measurement: a team may fix a gate while a rollout polls it.
            let source: [UInt8]
            do {
                source = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw GateError.unreadable(input.gate, path: path, reason: "\(error.localizedDescription)")
            }
            let args = input.args ?? .table([:])
            return try await GateScript(gate: input.gate, path: path, config: config, context: context)
                .run(source: source, args: args)
        }
    }

    /// Checked before anything is journaled: the name becomes part of a file path.
    static func validate(_ input: LuaGateInput) throws {
        let allowed = input.gate.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        guard !input.gate.isEmpty, input.gate.count <= 128, allowed else {
            throw StepArgumentError(
                path: ["gate"],
                problem: "a gate name is letters, digits, '_' and '-' (NAME of NAME.lua on the search path), got \"\(input.gate)\"")
        }
        switch input.args ?? .nil {
        case .nil, .table, .array: break
        case let other:
            throw StepArgumentError(path: ["args"], problem: "table expected, got \(other.detailedTypeName)")
        }
    }
}
