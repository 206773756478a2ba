/// `t.gate(NAME, args, {...})`: one measurement of a gate alone, a team's Lua gate (NAME.lua
/// on the gate search path) or a native one ("health.targets"), against mocked or simulated
/// reads. Returns `{ status, reason, value }`, or `{ status = "error", error = { name, message } }`
/// when the gate raised (a bad argument, a read that failed, an invalid result).
struct GateCall {
    struct Spec: Decodable {
        var cloud: StepValue?
        var mocks: [String: MockPlan]?
        var gates: [String]?
        /// Virtual wall-clock time of the measurement, Unix seconds (default 2026-01-01T00:00Z).
        var at: Double?
        var attempt: Int?
    }

    let name: String
    let args: StepValue
    let spec: Spec
    let testFile: String
    let environment: TestEnvironment

    func run() async throws -> StepValue {
        let cloud = try spec.cloud.map { scenario -> SimulatedCloud in
            do { return try SimulatedCloud(scenario: scenario) } catch { throw TestSetupError("cloud: \(error)") }
        }
        let problems = TestProblems()
        let standIns = StandIns(mocks: spec.mocks ?? [:], cloud: cloud, realExec: false, problems: problems)
        let registry = standIns.registry(from: environment.registry,
                                         gateSearchPath: environment.gateSearchPath(testFile, spec.gates ?? []))
        let function: StepFunction
        let input: StepValue
        if name.contains("."), let native = registry.function(name) {
            guard native.isGate else { throw TestSetupError("\(name) is not a gate (t.gate measures gates; t.run runs workflows)") }
            function = native
            input = args
        } else if !name.contains("."), let run = registry.function("\(LuaGatePluginName.value).run") {
            function = run
            input = .table(["gate": .string(name), "args": args])
        } else {
            throw TestSetupError("no gate named '\(name)' (a Lua gate is NAME of NAME.lua; a native one is PLUGIN.NAME)")
        }
        let start = Millis((spec.at ?? WorkflowRunSpec.defaultStart) * 1000)
        let clock = VirtualClock(start: start, horizon: start + Millis(WorkflowRunSpec.defaultHorizon * 1000))
        var context = StepContext(executionID: "gate-test", seq: 1, attempt: spec.attempt ?? 1)
        context.clock = clock
        let result: StepValue
        do {
            result = try await function.call(input, context: context)
        } catch let f as StepFailure {
            result = .table(["status": "error", "error": .table(["name": .string(f.name), "message": .string(f.message)])])
        } catch let e as StepArgumentError {
            result = .table(["status": "error", "error": .table(["name": "InvalidArgument", "message": .string("\(name): \(e)")])])
        }
        let list = problems.all
        if !list.isEmpty { throw TestSetupError(list.joined(separator: "\n  ")) }
        return result
    }
}
