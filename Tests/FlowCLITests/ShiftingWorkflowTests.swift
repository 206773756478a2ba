import FlowTestSupport
import Foundation
import Testing

/// workflows/linear.lua and workflows/bluegreen.lua against the strict fixture: the same plugins
/// and fail-back as the canary, other schedules.
@Suite(.serialized) struct ShiftingWorkflowTests {
    /// Parameters these two workflows take (no ECS trigger).
    func params(_ w: RolloutWorld, _ extra: [String: Any]) throws -> String {
        var p: [String: Any] = ["zone": w.seed.zoneName, "record": w.seed.record, "target_group": w.seed.green.tgName, "poll": 0.2]
        for (k, v) in extra { p[k] = v }
        let data = try JSONSerialization.data(withJSONObject: p, options: [.sortedKeys])
        try w.sandbox.write("p.json", String(decoding: data, as: UTF8.self))
        return w.sandbox.path("p.json")
    }

    @Test func linearShiftsByItsStepUntilAllGreen() async throws {
        try await RolloutWorld.with(fixture: "rollouts-shifting") { w in
            let p = try w.startCanary(id: "lin", params: try params(w, ["step": 25, "interval": 0.4]),
                                      workflow: RolloutWorld.workflow("linear.lua"))
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.greenWeightsChanged() == [25, 50, 75, 100])
            #expect(try await w.weights() == ["blue": 0, "green": 100])
        }
    }

    @Test func blueGreenSwitchesAtOnceAndWaitsForApproval() async throws {
        try await RolloutWorld.with(fixture: "rollouts-shifting") { w in
            let p = try w.startCanary(id: "bg", params: try params(w, ["bake": 0.4, "approval_timeout": 30.0]),
                                      workflow: RolloutWorld.workflow("bluegreen.lua"))
            try await w.sandbox.waitForStatus("bg", ["waiting"], kind: "signal", timeout: .seconds(30))
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            let s = try await w.sandbox.flow(["signal", "bg", "approve"])
            #expect(s.code == 0, "\(s)")
            let r = await p.wait(timeout: .seconds(30))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.greenWeightsChanged() == [100])
        }
    }

    @Test func blueGreenWithoutApprovalSwitchesBack() async throws {
        try await RolloutWorld.with(fixture: "rollouts-shifting") { w in
            let r = try await w.sandbox.flow(
                ["run", RolloutWorld.workflow("bluegreen.lua"), "--id", "bg-no", "--params",
                 try params(w, ["bake": 0.2, "approval_timeout": 0.5])], env: w.env, timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            #expect(r.stderr.contains("no approval within"))
            #expect(try await w.greenWeightsChanged() == [100, 0])
            #expect(try await w.weights() == ["blue": 100, "green": 0])
        }
    }

    @Test func blueGreenRefusesAnUnhealthyGreenBeforeMovingAnyTraffic() async throws {
        try await RolloutWorld.with(fixture: "rollouts-shifting") { w in
            try await w.fixture.setTargetHealth(targetGroupArn: w.seed.green.tgArn, state: "unhealthy")
            let r = try await w.sandbox.flow(
                ["run", RolloutWorld.workflow("bluegreen.lua"), "--id", "bg-sick", "--params", try params(w, [:])],
                env: w.env, timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.greenWeightsChanged() == [], "no traffic moved to an unhealthy green")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
        }
    }

    @Test func aLuaErrorAfterShiftingFailsBack() async throws {
        try await RolloutWorld.with(fixture: "rollouts-shifting") { w in
            try w.sandbox.write("buggy.lua", """
                local P = flow.params{ zone = flow.required "string", record = flow.required "string" }
                local route53 = require "flow.route53"
                local failback = require "flow.failback"
                failback.arm{ zone = P.zone, record = P.record }
                route53.set_weights{ zone = P.zone, record = P.record, weights = { blue = 70, green = 30 } }
                local config = nil
                return config.threshold   -- a bug in the team's script, after traffic moved
                """)
            let r = try await w.sandbox.flow(["run", "buggy.lua", "--id", "bug", "--param", "zone=\(w.seed.zoneName)",
                                              "--param", "record=\(w.seed.record)"], env: w.env, timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            #expect(r.stderr.contains("buggy.lua:7"))
            #expect(try await w.greenWeightsChanged() == [30, 0])
            #expect(try await w.weights() == ["blue": 100, "green": 0])
        }
    }
}
