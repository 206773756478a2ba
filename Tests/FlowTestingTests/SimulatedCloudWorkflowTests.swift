import FlowECS
import FlowEngine
import FlowFailback
import FlowHealth
import FlowLua
import FlowPluginSupport
import FlowRoute53
import FlowTesting
import Foundation
import Testing

/// The simulated cloud under the real engine: `workflows/canary.lua` runs unchanged on a
/// jumping clock, its AWS functions answered by the simulation (failback.arm's Lua glue
/// included), as `flow test` will run it.
@Suite struct SimulatedCloudWorkflowTests {
    static let canary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("workflows/canary.lua").path

    static let scenario: LuaValue = [
        "change_seconds": 20,
        "records": [["zone": "example.com", "name": "app.example.com", "weights": ["blue": 100, "green": 0]]],
        "target_groups": ["app-green": "healthy"],
        "services": [["cluster": "prod", "name": "app-green", "running": 0, "pending": 2, "desired": 2, "task_definition": "app:2"]],
        "changes": [
            ["at": 60, "services": [["cluster": "prod", "name": "app-green", "running": 2, "pending": 0]]],
            ["at": 720, "target_groups": ["app-green": "unhealthy"]],
        ],
    ]

    /// The real plugins, every function the simulation knows answered by it.
    static func registry(_ cloud: SimulatedCloud, _ aws: AWSStepEnvironment) -> StepRegistry {
        var registry = StepRegistry([Route53Plugin(aws: aws), ECSPlugin(aws: aws), HealthPlugin(aws: aws), FailbackPlugin(aws: aws)])
        for (name, body) in cloud.implementations() {
            guard let function = registry.function(name), let dot = name.firstIndex(of: ".") else { continue }
            registry.replace(plugin: String(name[..<dot]), function: function.replacingBody(body))
        }
        return registry
    }

    @Test func greenTurningUnhealthyAtMinute12FailsBackToBlue() async throws {
        let cloud = try SimulatedCloud(scenario: Self.scenario)
        let clock = CloudTestClock(cloud: cloud)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flow-sim-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let aws = CloudTwin.environment(endpoint: "http://127.0.0.1:9", region: "us-east-1")
        var options = RunOptions(home: FlowHome(root: root))
        options.registry = Self.registry(cloud, aws)
        options.clock = clock
        options.pollInterval = .milliseconds(10)
        let params: [String: LuaValue] = ["zone": "example.com", "record": "app.example.com", "cluster": "prod",
                                          "service": "app-green", "target_group": "app-green", "wait": "300", "poll": "10"]
        let outcome = try await ExecutionRunner(.start(script: Self.canary, id: "canary", params: params), options: options).run()
        await aws.shutdown()

        guard case .failed(let error) = outcome else { Issue.record("outcome: \(outcome)"); return }
        #expect(error.name == "GateFailed", "\(error)")
        let snapshot = cloud.snapshot(startedAt: clock.start)
        #expect(snapshot["weights"] == ["app.example.com": ["blue": 100, "green": 0]])
        guard case .array(let calls) = snapshot["calls"] else { Issue.record("calls: \(snapshot["calls"])"); return }
        let names = calls.compactMap { $0["name"].stringValue }
        #expect(names.first == "ecs.await_task" && names.last == "failback.restore")
        #expect(names.filter { $0 == "route53.set_weights" }.count == 3 && names.contains("failback.capture"))
        let shifts = calls.filter { $0["name"] == "route53.set_weights" }.map { $0["args"]["weights"]["green"] }
        #expect(shifts == [10, 50, 100])
        // The task came up at 60 s; the failing look was the first one at or after 720 s.
        guard case .double(let restoredAt)? = calls.last?["at"], case .double(let triggeredAt)? = calls.first(where: { $0["name"] == "failback.capture" })?["at"] else {
            Issue.record("times: \(calls)"); return
        }
        #expect(triggeredAt == 60)
        #expect(restoredAt >= 720 && restoredAt < 740, "restored at \(restoredAt) s")
        #expect(calls.last?["args"]["weights"] == ["blue": 100, "green": 0])
    }
}
