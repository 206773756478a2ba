import Foundation
import FlowLua
import Logging

/// The host functions behind ctx (see GateContext), and the awaiting of a ctx call.
extension GateScript {
    /// `ctx.call`, `ctx.now` and the primitives the Lua part of ctx uses.
    func coreFunctions() -> [String: LuaHostFunction] {
        [
            "call": { [unowned self] call in
                guard call.typeName(1) == "string", let name = try call.value(1).stringValue else {
                    throw LuaHostError("bad argument #1 to 'ctx.call' (string expected, got \(call.typeName(1)))")
                }
                return try self.start(call, qualified: name, display: "ctx.call", args: try Self.table(call, 2, "ctx.call"))
            },
            "now": { [unowned self] _ in .values([.double(Double(self.context.clock.now()) / 1000)]) },
            "log": { [unowned self] call in
                let text = try call.value(1).stringValue ?? ""
                self.context.logger.info("\(text)", metadata: ["gate": "\(self.gate)"])
                return .values([])
            },
            "expired": { [unowned self] _ in .values([.bool(self.elapsed >= self.config.timeout)]) },
            "loaded": { [unowned self] call in
                guard case .int(let count) = try call.value(1) else { throw LuaHostError("ctx: internal error (no count)") }
                if count == 0 {
                    self.loaded = .notAFunction("nothing")
                } else if call.isFunction(2) {
                    self.loaded = .function(call.ref(2), definedAt: try call.value(3).stringValue)
                } else {
                    let type = call.typeName(2)
                    self.loaded = .notAFunction(type == "nil" ? "nil" : "a \(type)")
                }
                return .values([])
            },
            "result": { [unowned self] call in
                guard case .int(let count) = try call.value(1) else { throw LuaHostError("ctx: internal error (no result count)") }
                self.checked = GateResultCheck.check(count: Int(count), typeName: call.typeName(2), read: { try call.value(2) })
                return .values([])
            },
        ]
    }

    /// `ctx.http.get(url, opts)`: health.http_get with the URL as an argument of its own.
    func httpFunctions() -> [String: LuaHostFunction] {
        [
            "get": { [unowned self] call in
                guard call.typeName(1) == "string", let url = try call.value(1).stringValue else {
                    throw LuaHostError("bad argument #1 to 'ctx.http.get' (string expected, got \(call.typeName(1)))")
                }
                guard case .table(var options) = try Self.table(call, 2, "ctx.http.get") else {
                    throw LuaHostError("bad argument #2 to 'ctx.http.get' (a table of options expected, got a list)")
                }
                options["url"] = .string(url)
                return try self.start(call, qualified: "health.http_get", display: "ctx.http.get", args: .table(options))
            },
        ]
    }

    /// `ctx.PLUGIN.FN{...}` for each function of `plugin` gates may call.
    func sugarFunctions(plugin: String, names: [String]) -> [String: LuaHostFunction] {
        var functions: [String: LuaHostFunction] = [:]
        for name in names {
            let qualified = plugin + "." + name, display = "ctx." + qualified
            functions[name] = { [unowned self] call in
                try self.start(call, qualified: qualified, display: display, args: try Self.table(call, 1, display))
            }
        }
        return functions
    }

    /// Argument `i` as a keyword table; absent or nil is `{}`.
    static func table(_ call: LuaCall, _ i: Int, _ display: String) throws -> LuaValue {
        switch call.typeName(i) {
        case "nil", "no value": return .table([:])
        case "table": return try call.value(i)
        case let other: throw LuaHostError("bad argument #\(i) to '\(display)' (table expected, got \(other))")
        }
    }

    /// Checks a ctx call and yields for the runner to perform it. A mistake in the call is
    /// raised as a string at the gate's line; what the function refuses is raised as a table
    /// the gate may catch, like a failure of the call itself.
    func start(_ call: LuaCall, qualified: String, display: String, args: LuaValue) throws -> LuaHostResult {
        guard let thread, call.threadIdentity == thread.identity else {
            throw LuaHostError("\(display) cannot be called from a coroutine the gate created: call it from the gate's function itself")
        }
        guard call.isYieldable else {
            throw LuaHostError("\(display) cannot be called here (inside a metamethod, a table.sort comparator or a string.gsub callback)")
        }
        let function = try callable(qualified, display: display)
        let location = call.location(level: 1, skipping: GateContext.wrapperSources) ?? path
        do {
            try function.validate(args)
        } catch let e as LuaArgumentError {
            throw LuaHostError(e.description, value: Self.errorValue("InvalidArgument", "\(qualified): \(e)", at: location))
        } catch let f as StepFailure {
            throw LuaHostError(f.message, value: Self.errorValue(f.name, f.message, at: location))
        } catch {
            throw LuaHostError("\(error)", value: Self.errorValue(String(describing: type(of: error)), "\(qualified): \(error)", at: location))
        }
        pending = PendingCall(qualified: qualified, function: function, args: args, location: location)
        return .yield([])
    }

    func callable(_ qualified: String, display: String) throws -> StepFunction {
        let available = config.callableNames
        let list = available.isEmpty ? "none" : available.joined(separator: ", ")
        guard let function = config.functions[qualified] else {
            if display == "ctx.http.get" {
                throw LuaHostError("ctx.http.get needs the function health.http_get, which is not available here (gates may call: \(list))")
            }
            throw LuaHostError("\(display): '\(qualified)' is not a function gates may call (gates may call: \(list))")
        }
        guard function.readOnly else {
            throw LuaHostError("\(display): '\(qualified)' changes the world; gates may only call read-only functions (gates may call: \(list))")
        }
        guard available.contains(qualified) else {
            throw LuaHostError("\(display): '\(qualified)' runs a Lua gate; a gate cannot run other Lua gates")
        }
        return function
    }

    static func errorValue(_ name: String, _ message: String, at location: String) -> LuaValue {
        .table(["name": .string(name), "message": .string(message), "where": .string(location)])
    }

    /// Runs a ctx call within what is left of the measurement's time; the answer resumes the
    /// coroutine: `true, value` returns the value, `false, error` raises the error table.
    func perform(_ call: PendingCall) async throws -> [LuaValue] {
        let remaining = config.timeout - elapsed
        guard remaining > 0 else {
            throw GateError.timeout(gate, at: call.location, seconds: config.timeout, waitingFor: call.qualified)
        }
        let outcome = await Self.invoke(call.function, call.args, qualified: call.qualified, context: context, within: remaining)
        try Task.checkCancellation()
        switch outcome {
        case .value(let v): return [true, v]
        case .failed(let name, let message): return [false, Self.errorValue(name, message, at: call.location)]
        case .timedOut: throw GateError.timeout(gate, at: call.location, seconds: config.timeout, waitingFor: call.qualified)
        case .cancelled: throw CancellationError()
        }
    }

    enum CallOutcome: Sendable {
        case value(LuaValue)
        case failed(name: String, message: String)
        case timedOut
        case cancelled
    }

    /// The function raced against the time left. Step functions stop when cancelled (an HTTP
    /// request is abandoned, a process killed), so the loser is cancelled and awaited here.
    static func invoke(_ function: StepFunction, _ args: LuaValue, qualified: String, context: StepContext,
                       within seconds: Double) async -> CallOutcome
    {
        await withTaskGroup(of: CallOutcome.self) { group in
            group.addTask {
                do {
                    return .value(try await function.call(args, context: context))
                } catch let f as StepFailure {
                    return .failed(name: f.name, message: f.message)
                } catch is CancellationError {
                    return .cancelled
                } catch let e as LuaArgumentError {
                    return .failed(name: "InvalidArgument", message: "\(qualified): \(e)")
                } catch {
                    return .failed(name: String(describing: type(of: error)), message: "\(qualified): \(error)")
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return first
        }
    }
}
