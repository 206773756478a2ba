import FlowLua

extension ExecutionRunner {
    /// A fresh interpreter with the sandbox, the `flow` module and the compiled script.
    /// A script that does not compile is a usage error, found before anything is created.
    func setUpLua() throws {
        do {
            lua = try LuaState(limits: options.limits)
            // A plugin's own Lua is a wrapper too: a step it calls is blamed on the script's line.
            lua.wrapperSources = WorkflowPrelude.wrapperSources.union(
                options.registry.plugins.values.filter { $0.luaSource != nil }.map { "flow.\($0.name)" })
            let env = try lua.makeSandbox(LuaSandboxPolicy(refusals: WorkflowPrelude.refusals))
            let host = lua.makeHostTable(prefix: "flow", functions: hostFunctions())
            let prelude = try lua.load(WorkflowPrelude.source, chunkName: WorkflowPrelude.chunkName)
            _ = try lua.callForRefs(prelude, [.ref(host), .ref(env)])
            // math.random in the script draws from a generator seeded from the journal.
            let seed = try lua.load("math.randomseed(...)", chunkName: "=seed")
            try lua.call(seed, [.value(.int(randomSeed))])
            do {
                chunk = try lua.load(scriptBytes, chunkName: "@" + workflowPath, environment: env)
            } catch let e as LuaError {
                throw RunError(.usage, e.message)
            }
        } catch let e as RunError {
            throw e
        } catch {
            throw RunError(.internalError, "cannot set up Lua: \(error)")
        }
    }

    func hostFunctions() -> [String: LuaHostFunction] {
        [
            "params": { [unowned self] in try self.hostParams($0) },
            "step_begin": { [unowned self] in try self.hostStepBegin($0) },
            "step_end": { [unowned self] in try self.hostStepEnd($0) },
            "native": { [unowned self] in try self.hostNative($0) },
            "sleep": { [unowned self] in try self.hostSleep($0) },
            "signal": { [unowned self] in try self.hostSignal($0) },
            "now": { [unowned self] in try self.hostNow($0) },
            "random": { [unowned self] in try self.hostRandom($0) },
            "on_failure": { [unowned self] call in
                self.compensations.append(call.ref(1))
                return .values([])
            },
            "log": { [unowned self] call in
                if !self.machine.isReplaying { self.options.observer(.log(try call.value(1).stringValue ?? "")) }
                return .values([])
            },
            "module": { [unowned self] in try self.hostModule($0) },
            "id": { [unowned self] _ in .values([.string(self.id)]) },
        ]
    }

    func hostModule(_ call: LuaCall) throws -> LuaHostResult {
        let name = try call.value(1).stringValue ?? ""
        let available = options.registry.moduleNames.filter { $0 != "flow.core" }
        if name.hasPrefix("flow."), name != "flow.core", let plugin = options.registry.plugins[String(name.dropFirst(5))] {
            let functions = LuaValue.table(Dictionary(uniqueKeysWithValues: plugin.functions.map {
                ($0.name, LuaValue.string($0.isGate ? "gate" : "step"))
            }))
            return .values([functions, .nil, plugin.luaSource.map { .string($0) } ?? .nil])
        }
        return .values([.nil, .string(available.isEmpty ? "none" : available.joined(separator: ", "))])
    }

    /// The error a script raised (or that ended it) as the journal keeps it.
    static func stepError(from error: LuaError) -> StepError {
        if case .table(let t)? = error.value, let name = t["name"]?.stringValue {
            return StepError(name: name, message: t["message"]?.stringValue ?? error.message).bounded
        }
        switch error.kind {
        case .memoryLimit: return StepError(name: "MemoryLimit", message: error.message).bounded
        case .instructionLimit: return StepError(name: "InstructionLimit", message: error.message).bounded
        default: return StepError(name: "Error", message: error.message).bounded
        }
    }

    /// An error value a step's function raised, as a StepError.
    static func stepError(from value: LuaValue) -> StepError {
        unboundedStepError(from: value).bounded
    }

    private static func unboundedStepError(from value: LuaValue) -> StepError {
        switch value {
        case .table(let t):
            let name = t["name"]?.stringValue ?? "Error"
            let message = t["message"]?.stringValue ?? "(error object is a table value)"
            return StepError(name: name, message: message)
        case .string, .bytes:
            return StepError(name: "Error", message: value.stringValue ?? "")
        case .nil:
            return StepError(name: "Error", message: "(error object is a nil value)")
        default:
            return StepError(name: "Error", message: "(error object is a \(value.typeName) value)")
        }
    }
}
