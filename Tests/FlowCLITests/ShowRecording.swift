import FlowTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Records the journals that `ShowTests` replays: real runs of workflows/canary.lua against the
/// strict AWS fixture, each copied to Tests/FlowCLITests/Fixtures/show/NAME/journal/. Run only
/// on purpose (the goldens must then be rewritten too):
///
///     FLOW_RECORD_SHOW=1 swift test --skip-build --filter ShowRecording
///     FLOW_UPDATE_GOLDEN=1 swift test --skip-build --filter ShowTests
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FLOW_RECORD_SHOW"] == "1"))
struct ShowRecording {
    static let fixtures = FlowBinary.packageRoot + "/Tests/FlowCLITests/Fixtures/show"

    /// Copies the execution's journal into the fixtures, replacing an older recording.
    static func keep(_ w: RolloutWorld, _ id: String) throws {
        let target = fixtures + "/\(id)/journal"
        try? FileManager.default.removeItem(atPath: fixtures + "/\(id)")
        try FileManager.default.createDirectory(atPath: fixtures + "/\(id)", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: w.sandbox.journalDirectory(id), toPath: target)
        for file in try FileManager.default.contentsOfDirectory(atPath: target) where !file.hasSuffix(".wal") {
            try FileManager.default.removeItem(atPath: target + "/" + file)
        }
    }

    @Test func succeeded() async throws {
        try await RolloutWorld.with(fixture: "show-recording") { w in
            let p = try w.startCanary(id: "succeeded", params: try w.params(["health_url": w.seed.green.url ?? ""]))
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            try Self.keep(w, "succeeded")
        }
    }

    @Test func failed() async throws {
        try await RolloutWorld.with(fixture: "show-recording") { w in
            let p = try w.startCanary(id: "failed", params: try w.params(wait: 3, poll: 0.2))
            try await w.waitForGreen(50)
            try await w.fixture.setTargetHealth(targetGroupArn: w.seed.green.tgArn, state: "unhealthy",
                                                targetID: w.seed.green.targets[1])
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 1, "\(r)")
            try Self.keep(w, "failed")
        }
    }

    /// 12 throttled ChangeResourceRecordSets: the AWS client's own 5 tries fail twice, so the
    /// first set_weights step fails twice (Throttling, backoff) and succeeds at attempt 3.
    @Test func retried() async throws {
        try await RolloutWorld.with(fixture: "show-recording") { w in
            try await w.fixture.injectFault(service: "route53", operation: "ChangeResourceRecordSets", count: 12)
            let p = try w.startCanary(id: "retried", params: try w.params())
            let r = await p.wait(timeout: .seconds(90))
            #expect(r.code == 0, "\(r)")
            try Self.keep(w, "retried")
        }
    }

    @Test func aborted() async throws {
        try await RolloutWorld.with(fixture: "show-recording") { w in
            let p = try w.startCanary(id: "aborted", params: try w.params(wait: 20, poll: 0.5))
            // Aborted while green's first 10 % is watched.
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let current = (try? await w.sandbox.status("aborted"))?["current_step"] as? [String: Any]
                if current?["name"] as? String == "health.all" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let abort = try await w.sandbox.flow(["abort", "aborted", "--reason", "p99 latency up in eu-west-1"], env: w.env)
            #expect(abort.code == 0, "\(abort)")
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 6, "\(r)")
            try Self.keep(w, "aborted")
        }
    }

    /// Paused by an operator, then fully promoted (to 100 % at once), the driver killed during
    /// the final check and the execution resumed: operator actions and a resume in one journal.
    @Test func operatorActions() async throws {
        try await RolloutWorld.with(fixture: "show-recording") { w in
            let p = try w.startCanary(id: "operator", params: try w.params(wait: 2, poll: 0.5))
            try await w.waitForGreen(10)
            let pause = try await w.sandbox.flow(["pause", "operator", "--reason", "checking a latency alert"])
            #expect(pause.code == 0, "\(pause)")
            try await w.sandbox.waitForStatus("operator", "paused")
            let promote = try await w.sandbox.flow(["promote", "operator", "--full", "--reason", "alert was a false positive"])
            #expect(promote.code == 0, "\(promote)")
            try await w.waitForGreen(100)
            p.send(SIGKILL)
            #expect(await p.wait().killedBySIGKILL)
            let resume = try await w.sandbox.flow(["resume", "operator", "--json-events"], env: w.env, timeout: .seconds(60))
            #expect(resume.code == 0, "\(resume)")
            try Self.keep(w, "operator")
        }
    }
}
