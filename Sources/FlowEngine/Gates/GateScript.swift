import FlowLua

/// One measurement of one gate: a fresh interpreter (nothing leaks from one measurement to the
/// next, and a gate that corrupts its state only spoils its own run), the file loaded in a
/// sandbox, and its function called in a coroutine that yields to Swift for each ctx call.
/// Not Sendable: it lives inside one `gates.run` call.
final class GateScript {
    /// What every measurement of a plugin shares.
    struct Config: Sendable {
        var limits: LuaLimits
        var timeout: Double
        /// Qualified name ("health.metric_data") -> function; only read-only ones are called.
        var functions: [String: StepFunction]

        /// The names a gate may call: read-only, and not another Lua gate (which could
        /// recurse without end).
        var callableNames: [String] {
            functions.filter { $0.value.readOnly && !$0.key.hasPrefix(LuaGatePlugin.pluginName + ".") }.keys.sorted()
        }

        /// The callable names grouped by plugin, for `ctx.PLUGIN.FN`.
        var sugar: [(plugin: String, functions: [String])] {
            var byPlugin: [String: [String]] = [:]
            for name in callableNames {
                guard let dot = name.lastIndex(of: ".") else { continue }
                byPlugin[String(name[..<dot]), default: []].append(String(name[name.index(after: dot)...]))
            }
            return byPlugin.keys.sorted().map { ($0, byPlugin[$0] ?? []) }
        }
    }

    /// A ctx call the coroutine yielded for.
    struct PendingCall {
        var qualified: String
        var function: StepFunction
        var args: LuaValue
        /// The gate's line that made the call.
        var location: String
    }

    enum Loaded {
        case function(LuaRef, definedAt: String?)
        /// "nothing", "nil", "a table", ...
        case notAFunction(String)
    }

    let gate: String
    let path: String
    let config: Config
    let context: StepContext
    let started = ContinuousClock.now
    var thread: LuaThread?
    var pending: PendingCall?
    var checked: GateResultCheck.Checked?
    /// What the file's top level returned.
    var loaded: Loaded?
    /// "file:line" where the gate's function is defined, for InvalidGateResult.
    var definedAt: String

    init(gate: String, path: String, config: Config, context: StepContext) {
        self.gate = gate
        self.path = path
        self.config = config
        self.context = context
        definedAt = path
    }

    var elapsed: Double {
        let (s, attos) = (ContinuousClock.now - started).components
        return Double(s) + Double(attos) / 1e18
    }

    func run(source: [UInt8], args: LuaValue) async throws -> GateResult {
        let (lua, function, ctx, main) = try load(source)
        let thread = LuaThread(state: lua, function: main)
        self.thread = thread
        var input: [LuaArgument] = [.ref(function), .ref(ctx), .value(args)]
        while true {
            try Task.checkCancellation()
            switch thread.resume(input) {
            case .returned:
                // The limit bounds the whole measurement: a verdict reached after it does not count.
                if elapsed >= config.timeout { throw GateError.timeout(gate, at: path, seconds: config.timeout) }
                switch checked {
                case .result(let r)?: return r
                case .problem(let p)?: throw GateError.invalidResult(gate, definedAt: definedAt, problem: p)
                case nil: throw GateError.internalError(gate, "the gate's coroutine ended without a result")
                }
            case .failed(let error):
                throw failure(from: error)
            case .yielded:
                guard let call = pending else {
                    throw GateError.lua(gate, message: "\(thread.location ?? path): the gate yielded outside a ctx call (coroutine.yield is only for coroutines the gate creates)")
                }
                pending = nil
                input = try await perform(call).map { .value($0) }
            }
        }
    }

    /// The interpreter with the sandbox and ctx, the file run once, and what it returned
    /// checked to be a function.
    private func load(_ source: [UInt8]) throws -> (LuaState, function: LuaRef, ctx: LuaRef, main: LuaRef) {
        let lua: LuaState
        let env: LuaRef, ctx: LuaRef, start: LuaRef, main: LuaRef
        do {
            lua = try LuaState(limits: config.limits)
            lua.wrapperSources = GateContext.wrapperSources
            // The file's top level counts against the same time limit as its function.
            lua.setDeadline(secondsFromNow: config.timeout)
            env = try lua.makeSandbox(LuaSandboxPolicy(refusals: GateContext.refusals))
            let core = lua.makeHostTable(prefix: "ctx", functions: coreFunctions())
            let http = lua.makeHostTable(prefix: "ctx.http", functions: httpFunctions())
            let plugins = config.sugar.filter { !GateContext.reserved.contains($0.plugin) }
            let sugar = plugins.map { lua.makeHostTable(prefix: "ctx." + $0.plugin, functions: sugarFunctions(plugin: $0.plugin, names: $0.functions)) }
            let prelude = try lua.load(GateContext.source, chunkName: GateContext.chunkName)
            let info: LuaValue = .table([
                "execution_id": .string(context.executionID),
                "attempt": .int(Int64(context.attempt)),
                "gate": .string(gate),
            ])
            let names: LuaValue = plugins.isEmpty ? .table([:]) : .array(plugins.map { .string($0.plugin) })
            let refs = try lua.callForRefs(prelude, [.ref(core), .ref(http), .ref(env), .value(info), .value(names)] + sugar.map { .ref($0) })
            guard refs.count == 3 else { throw GateError.internalError(gate, "the ctx wrapper returned \(refs.count) values") }
            (ctx, start, main) = (refs[0], refs[1], refs[2])
        } catch let f as StepFailure {
            throw f
        } catch {
            throw GateError.internalError(gate, "cannot set up Lua: \(error)")
        }
        let chunk: LuaRef
        do {
            chunk = try lua.load(source, chunkName: "@" + path, environment: env)
        } catch let e as LuaError {
            throw GateError.syntax(gate, message: e.message)
        }
        switch LuaThread(state: lua, function: start).resume([.ref(chunk)]) {
        case .returned:
            break
        case .failed(let e):
            throw failure(from: e)
        case .yielded:
            throw GateError.lua(gate, message: "\(path): the file yielded at its top level (coroutine.yield is only for coroutines the gate creates)")
        }
        guard case .function(let function, let place)? = loaded else {
            if case .notAFunction(let got)? = loaded { throw GateError.notAFunction(path: path, got: got) }
            throw GateError.internalError(gate, "running \(path) gave nothing back")
        }
        if let place { definedAt = place }
        return (lua, function, ctx, main)
    }

    /// A Lua error or a limit, as the failure the engine journals.
    func failure(from error: LuaError) -> StepFailure {
        let place = error.location ?? path
        switch error.kind {
        case .memoryLimit:
            return GateError.limit(gate, at: place, what: "memory limit of \(Self.bytes(config.limits.memoryBytes))")
        case .instructionLimit:
            return GateError.limit(gate, at: place, what: "instruction limit of \(config.limits.instructions ?? 0) instructions")
        default:
            if LuaError.splitLocation(error.message).text == "timed out" || elapsed >= config.timeout {
                // Lua places a hook's error at the running function's caller; the traceback
                // still has the line the gate was at.
                return GateError.timeout(gate, at: Self.innermost(in: error.traceback) ?? place, seconds: config.timeout)
            }
            if case .table(let t)? = error.value, let name = t["name"]?.stringValue {
                let place = t["where"]?.stringValue.map { "\($0): " } ?? ""
                return GateError.lua(gate, message: "\(place)\(name): \(t["message"]?.stringValue ?? "")")
            }
            return GateError.lua(gate, message: error.message)
        }
    }

    /// The first "file:line" of a traceback that is the gate's own code.
    static func innermost(in traceback: String?) -> String? {
        for line in (traceback ?? "").split(separator: "\n") where line.hasPrefix("\t") {
            guard let place = LuaError.splitLocation(String(line.dropFirst())).location else { continue }
            let source = place[..<(place.lastIndex(of: ":") ?? place.endIndex)]
            if !GateContext.wrapperSources.contains(String(source)) { return place }
        }
        return nil
    }

    static func bytes(_ n: Int) -> String {
        n > 0 && n % (1 << 20) == 0 ? "\(n >> 20) MiB" : "\(n) bytes"
    }
}
