import FlowEngine
import FlowLua
import Synchronization

/// The in-memory AWS of `flow test`: Route53 weights, target health, alarms, metrics, ECS
/// services and tasks and HTTP endpoints, kept consistent with each other, answering every
/// AWS-touching step function (`route53.*`, `ecs.*`, `health.*`, `failback.capture|restore`,
/// `notify.send`) as the real plugin would: the same result keys and value types, the same
/// failure names and retryable flags. Time is the StepContext's clock (virtual under `flow
/// test`), never real time. The scenario's format is documented on `CloudScenario`.
public final class SimulatedCloud: Sendable {
    let state: Mutex<CloudState>
    /// The timed changes of the scenario (`changes = {{at = 720, ...}}`), seconds after the
    /// run's start, in time order; each as `apply` takes it (without `at`).
    public let changes: [(at: Double, change: LuaValue)]

    /// `scenario`: the table a test file passes. Errors are `SimulatedCloudError`s naming the
    /// key path (`cloud.records[1].weights.blue: expected an integer 0-255, got -1`).
    public init(scenario: LuaValue) throws {
        let read = try CloudScenario(scenario)
        state = Mutex(read.state)
        changes = read.changes
    }

    /// Applies a partial update of the same shape as the scenario's state sections (an `at`
    /// key is ignored). All or nothing: a change that fails to apply leaves the state as it was.
    public func apply(_ change: LuaValue) throws {
        let patch = try CloudScenario.patch(change)
        try state.withLock { s in
            var next = s
            try next.apply(patch)
            s = next
        }
    }

    public typealias Body = @Sendable (StepValue, StepContext) async throws -> StepValue

    /// Qualified function name ("route53.set_weights") -> the simulated body, which gets the
    /// keyword table as the script wrote it (validated by the real function) and records the call.
    public func implementations() -> [String: Body] {
        let bodies: [String: Body] = [
            "route53.weights": { [self] in try await weights($0, $1) },
            "route53.set_weights": { [self] in try await setWeights($0, $1, restoring: false) },
            "failback.capture": { [self] in try await weights($0, $1) },
            "failback.restore": { [self] in try await setWeights($0, $1, restoring: true) },
            "ecs.describe_service": { [self] in try await describeService($0, $1) },
            "ecs.await_task": { [self] in try await awaitTask($0, $1) },
            "ecs.await_stable": { [self] in try await awaitStable($0, $1) },
            "ecs.await_event": { _, _ in
                throw StepFailure("NotSimulated",
                                  "ecs.await_event is not simulated: mock it in the test (mocks = {[\"ecs.await_event\"] = ...})",
                                  retryable: false)
            },
            "health.targets": { [self] in try await targetsGate($0, $1).stepValue },
            "health.alarms": { [self] in try await alarmsGate($0, $1).stepValue },
            "health.metric": { [self] in try await metricGate($0, $1).stepValue },
            "health.http": { [self] in try await httpGate($0, $1).stepValue },
            "health.all": { [self] in try await allGate($0, $1).stepValue },
            "health.target_health": { [self] in try await targetHealth($0, $1) },
            "health.alarm_states": { [self] in try await alarmStates($0, $1) },
            "health.metric_data": { [self] in try await metricData($0, $1) },
            "health.http_get": { [self] in try await httpGet($0, $1) },
            "notify.send": { [self] in try await send($0, $1) },
        ]
        return bodies.reduce(into: [:]) { out, entry in out[entry.key] = recorded(entry.key, entry.value) }
    }

    /// Every call goes into `calls` when it starts; a failure adds its name.
    private func recorded(_ name: String, _ body: @escaping Body) -> Body {
        { [self] args, context in
            let index = state.withLock { s in s.calls.append(SimCall(at: context.clock.now(), name: name, args: args)) }
            do {
                return try await body(args, context)
            } catch let f as StepFailure {
                state.withLock { $0.calls.update(index) { $0.error = f.name } }
                throw f
            }
        }
    }
}
