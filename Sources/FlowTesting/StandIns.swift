import Synchronization

/// How every step function of a test run is answered: a mock when the test scripted one, else
/// the simulated cloud when the run has one and it simulates the function, else (for `flow.exec`
/// with `exec = "real"`, and Lua gates) the real thing. Anything else would reach a real cloud:
/// it fails the test instead, saying what to mock.
struct StandIns {
    let mocks: [String: MockPlan]
    let cloud: SimulatedCloud?
    let realExec: Bool
    let problems: TestProblems
    let counts = Counts()

    /// Invocations so far per mocked name.
    final class Counts: Sendable {
        private let byName = Mutex<[String: Int]>([:])
        func next(_ name: String) -> Int {
            byName.withLock { d in
                d[name, default: 0] += 1
                return d[name]!
            }
        }
    }

    /// The names a test may mock a function by: "route53.set_weights"; "flow.exec" and
    /// "core.exec"; "flow.notify" and "notify.send".
    static func names(plugin: String, function: String) -> [String] {
        let qualified = "\(plugin).\(function)"
        switch qualified {
        case "core.exec": return [qualified, "flow.exec"]
        case "notify.send": return [qualified, "flow.notify"]
        default: return [qualified]
        }
    }

    /// `registry` with every function replaced, and the Lua gates rebuilt on top of the
    /// replaced read-only functions (so a gate's ctx calls see the same mocks and cloud).
    func registry(from registry: StepRegistry, gateSearchPath: [String]) -> StepRegistry {
        var out = registry
        let simulated = cloud?.implementations() ?? [:]
        for (pluginName, plugin) in registry.plugins where pluginName != LuaGatePluginName.value {
            for function in plugin.functions {
                let names = Self.names(plugin: pluginName, function: function.name)
                out.replace(plugin: pluginName, function: standIn(for: function, names: names, simulated: simulated[names[0]]))
            }
        }
        var readOnly: [String: StepFunction] = [:]
        for (name, plugin) in out.plugins where name != LuaGatePluginName.value {
            for f in plugin.functions where f.readOnly { readOnly["\(name).\(f.name)"] = f }
        }
        let gates = LuaGatePlugin(searchPath: gateSearchPath, functions: readOnly)
        out.register(gates)
        if let run = gates.functions.first {
            out.replace(plugin: gates.name, function: gateStandIn(for: run))
        }
        return out
    }

    private func standIn(for function: StepFunction, names: [String],
                         simulated: (@Sendable (StepValue, StepContext) async throws -> StepValue)?) -> StepFunction {
        let plan = names.lazy.compactMap { self.mocks[$0] }.first
        let name = names.last!
        let counts = counts, problems = problems
        let fallback: @Sendable (StepValue, StepContext) async throws -> StepValue
        if let simulated {
            fallback = simulated
        } else if names[0] == "core.exec", realExec {
            fallback = { args, context in try await function.call(args, context: context) }
        } else if names[0] == "notify.send" {
            // A notification changes nothing a rollout depends on: accepted without a cloud, as
            // a webhook that answers 200 (with a cloud, it is recorded in run.cloud.notifications).
            fallback = { _, _ in .bool(true) }
        } else {
            let why = cloud == nil ? "the run has no simulated cloud" : "the simulated cloud does not simulate it"
            fallback = { _, _ in
                let message = "\(name) is not mocked and \(why): mock it (mocks = { [\"\(name)\"] = { returns = ... } })"
                    + (names[0] == "core.exec" ? " or run real processes with exec = \"real\"" : "")
                problems.add(message)
                throw StepFailure("NotMocked", message, retryable: false)
            }
        }
        guard let plan else { return function.replacingBody(fallback) }
        return function.replacingBody { args, context in
            let n = plan.by == .attempt ? context.attempt : counts.next(name)
            if let response = plan.response(for: n) { return try await response.answer(context, function: name) }
            if simulated != nil { return try await fallback(args, context) }
            let what = plan.by == .attempt ? "attempt \(n)" : "call \(n)"
            let message = "\(name): no mocked response for \(what) (the mock covers \(plan.coverage)); add one or a `default`"
            problems.add(message)
            throw StepFailure("MockExhausted", message, retryable: false)
        }
    }

    /// `flow.gate(NAME, ...)`: mocked as "gate NAME" (each measurement is one call), else the
    /// team's Lua gate runs for real.
    private func gateStandIn(for run: StepFunction) -> StepFunction {
        guard mocks.keys.contains(where: { $0.hasPrefix("gate ") }) else { return run }
        let mocks = mocks, counts = counts
        return run.replacingBody { args, context in
            let gate = args["gate"].stringValue ?? ""
            let name = "gate \(gate)"
            guard let plan = mocks[name] else { return try await run.call(args, context: context) }
            let n = plan.by == .attempt ? context.attempt : counts.next(name)
            if let response = plan.response(for: n) { return try await response.answer(context, function: name) }
            return try await run.call(args, context: context)
        }
    }
}

/// The Lua gates' plugin name, as the registry keys it.
enum LuaGatePluginName {
    static let value = "gates"
}
