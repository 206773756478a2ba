import FlowTestSupport
import Foundation
import Testing

/// `flow run workflows/canary.lua`, the real binary against the strict AWS fixture: the seed
/// architecture's rollout, its fail-back on every kind of failure, and what it got wrong fixed.
/// One fixture for the suite, so its tests run one at a time.
@Suite(.serialized) struct CanaryTests {
    @Test func theRolloutShiftsTenFiftyHundredAndEndsAllGreen() async throws {
        try await RolloutWorld.with { w in
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            let p = try w.startCanary(id: "ok", params: try w.params(["health_url": w.seed.green.url ?? ""]))
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            // One atomic batch per step, both sets in each, and no restore.
            let changes = try await w.fixture.requests(service: "route53", operation: "ChangeResourceRecordSets").filter { $0.status == 200 }
            #expect(changes.map { $0.changes?.count ?? 0 } == [2, 2, 2])
            #expect(try await w.greenWeightsChanged() == [10, 50, 100])
            // INSYNC was awaited after every change (the seed never checked).
            let polls = try await w.fixture.requests(service: "route53", operation: "GetChange")
            #expect(polls.count >= 3)
            #expect(try await w.sandbox.statusName("ok") == "succeeded")
        }
    }

    @Test func anUnhealthyGreenTargetAtFiftyPercentFailsBackToTheOriginalWeights() async throws {
        try await RolloutWorld.with { w in
            // Held after the watch at 10 % until the test sends promote, so the target goes bad
            // between that watch and the one at 50 % however slow the machine (set during the 3 s
            // watch at 50 %, a late change would be seen at 100 % or not at all).
            let hold = try w.holdAfterEachWatch()
            let p = try w.startCanary(id: "sick", params: try w.params(wait: 3, poll: 0.2, ["gates": hold.gates]),
                                      extraArgs: hold.args)
            try await w.waitForHold("sick")
            #expect(try await w.greenWeightsChanged() == [10])
            // Only the second target: the seed looked at the first one only and would have missed it.
            try await w.fixture.setTargetHealth(targetGroupArn: w.seed.green.tgArn, state: "unhealthy",
                                                targetID: w.seed.green.targets[1])
            #expect(try await w.sandbox.flow(["signal", "sick", "promote"]).code == 0)
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            #expect(try await w.greenWeightsChanged() == [10, 50, 0])
            #expect(r.stderr.contains("GateFailed"))
            #expect(r.stderr.contains(w.seed.green.targets[1]))
            let history = try await w.sandbox.history("sick")
            #expect(history.contains { ($0["name"] as? String) == "failback.restore" })
            #expect(try await w.sandbox.statusName("sick") == "failed")

            // Fail-back starts within one poll interval of the failing observation.
            let events = RolloutWorld.events(r.stderr)
            let failed = events.first { $0["event"] as? String == "measured" && $0["status"] as? String == "fail" }
            let restore = events.first { $0["event"] as? String == "step_started" && $0["name"] as? String == "failback.restore" }
            let gap = try #require(Self.seconds(between: failed?["time"], and: restore?["time"]))
            #expect(gap < 0.2, "fail-back started \(gap) s after the failing observation")
        }
    }

    @Test func anAlarmInAlarmFailsBack() async throws {
        try await RolloutWorld.with { w in
            // 30 s watches: the alarm, set once green is at 10 %, fails the watch at its next poll,
            // so nothing waits them out; 3 s ones left a stalled test too little time to set it.
            let p = try w.startCanary(id: "alarm", params: try w.params(wait: 30, ["alarms": w.seed.alarms]))
            try await w.waitForGreen(10)
            try await w.setAlarm("green-5xx", state: "ALARM")
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            #expect(r.stderr.contains("green-5xx"))
        }
    }

    @Test func greenAnsweringFiveHundredsFailsBack() async throws {
        try await RolloutWorld.with { w in
            try await w.fixture.setApp(name: "green", status: 500)
            let p = try w.startCanary(id: "http", params: try w.params(["health_url": w.seed.green.url ?? ""]))
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            #expect(try await w.greenWeightsChanged() == [10, 0])
        }
    }

    @Test func throttledRoute53CallsAreRetriedAndTheRolloutCompletes() async throws {
        try await RolloutWorld.with { w in
            try await w.fixture.injectFault(service: "route53", operation: "ChangeResourceRecordSets", count: 2)
            let p = try w.startCanary(id: "throttled", params: try w.params())
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            let throttled = try await w.fixture.requests(service: "route53", operation: "ChangeResourceRecordSets").filter { $0.status == 400 }
            #expect(throttled.count == 2)
        }
    }

    @Test func aHealthAPIThatStaysThrottledFailsTheCheckAndFailsBack() async throws {
        try await RolloutWorld.with { w in
            // 30 s watches: the errors in a row end a watch whatever its length, so nothing waits
            // them out; with 5 s ones a stalled test could inject the fault after the last watch.
            let p = try w.startCanary(id: "throttled-health", params: try w.params(wait: 30, poll: 0.1))
            try await w.waitForGreen(10)
            try await w.fixture.injectFault(service: "elbv2", operation: "DescribeTargetHealth", count: 1000)
            let r = await p.wait(timeout: .seconds(90))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            #expect(r.stderr.contains("measurement errors in a row"))
        }
    }

    @Test func aFailingLuaGateFailsBack() async throws {
        try await RolloutWorld.with { w in
            try FileManager.default.createDirectory(atPath: w.sandbox.path("gates"), withIntermediateDirectories: true)
            try w.sandbox.write("gates/never.lua", """
                return function(ctx, args)
                  return { status = "fail", reason = "error rate " .. args.rate .. " above budget", value = args.rate }
                end
                """)
            let params = try w.params(["gates": [["name": "never", "args": ["rate": 0.2]]]])
            let p = try w.startCanary(id: "luagate", params: params, extraArgs: ["--plugins", w.sandbox.path("gates")])
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            #expect(r.stderr.contains("error rate 0.2 above budget"))
        }
    }

    @Test func abortMidRolloutRestoresTheOriginalWeights() async throws {
        try await RolloutWorld.with { w in
            let p = try w.startCanary(id: "aborted", params: try w.params(wait: 20, poll: 0.5))
            try await w.waitForGreen(10)
            let a = try await w.sandbox.flow(["abort", "aborted", "--reason", "bad metrics"], env: w.env)
            #expect(a.code == 0, "\(a)")
            let r = await p.wait(timeout: .seconds(30))
            #expect(r.code == 6, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            let status = try await w.sandbox.status("aborted")
            #expect(status["status"] as? String == "aborted")
            let error = status["error"] as? [String: Any] ?? [:]
            #expect(error["name"] as? String == "Aborted")
            #expect((error["message"] as? String ?? "").contains("bad metrics"), "\(error)")
            #expect(r.stderr.contains("\"status\":\"aborted\""), "\(r.stderr)")
        }
    }

    @Test func anyRegionWorks() async throws {
        try await RolloutWorld.with(region: "eu-west-1", recordType: "cname") { w in
            var env = w.env
            env["AWS_REGION"] = nil
            let params = try w.params()
            let r = try await w.sandbox.flow(["run", RolloutWorld.canary, "--id", "eu", "--params", params, "--region", "eu-west-1"],
                                             env: env, timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            let regions = Set(try await w.fixture.requests(service: "ecs").map(\.region))
            #expect(regions == ["eu-west-1"])
        }
    }

    @Test func noSecretReachesTheJournalTheOutputOrTheDebugLog() async throws {
        try await RolloutWorld.with { w in
            let r = try await w.sandbox.flow(["run", RolloutWorld.canary, "--id", "secret", "--params", try w.params(), "--debug"],
                                             env: w.env, timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(r.stderr.contains("aws call ok"), "--debug logs the AWS calls")
            let history = try await w.sandbox.flow(["history", "secret", "--json"])
            var everything = r.stdout + r.stderr + history.stdout
            for (_, bytes) in w.sandbox.snapshotHome().files { everything += String(decoding: bytes, as: UTF8.self) }
            for secret in [RolloutWorld.secret, RolloutWorld.sessionToken] {
                #expect(!everything.contains(secret))
            }
        }
    }

    static func seconds(between a: Any?, and b: Any?) -> Double? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let sa = a as? String, let sb = b as? String, let da = f.date(from: sa), let db = f.date(from: sb) else { return nil }
        return db.timeIntervalSince(da)
    }
}
