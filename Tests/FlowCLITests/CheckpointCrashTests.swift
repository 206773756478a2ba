import FlowAWS
import FlowTestSupport
import FlowWAL
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `flow` binary SIGKILLed twice while one `route53.set_weights` waits for its change to
/// be INSYNC, then resumed to the end: the step's batch reaches Route53 once, because the change
/// id is checkpointed (journaled and synced) before the wait and each resumed attempt waits for
/// that change instead of sending another (before step checkpoints, each resume sent it again).
///
/// The killed processes reach the fixture through a proxy that answers every GetChange PENDING,
/// so each kill surely lands during the wait, however slow the machine; the last resume talks to
/// the fixture directly, where the change is INSYNC after 0.2 s.
@Suite(.serialized) struct CheckpointCrashTests {
    static let workflow = """
        local P = flow.params{ zone = flow.required "string", record = flow.required "string" }
        local route53 = require "flow.route53"
        local r = route53.set_weights{ zone = P.zone, record = P.record, weights = { blue = 90, green = 10 } }
        return { change_id = r.change_id, changed = r.changed, previous = r.previous, status = r.status, weights = r.weights }
        """

    static let pendingChange = FaultProxy.Fault.respond(status: 200, body: """
        <?xml version="1.0" encoding="UTF-8"?>
        <GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/CHELDPENDING</Id>\
        <Status>PENDING</Status><SubmittedAt>2026-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>
        """, headers: [("Content-Type", "text/xml"), ("x-amzn-RequestId", "held-pending")])

    static func env(endpoint: String, region: String) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLEFLOWTEST",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFLOWTESTKEY",
            "AWS_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/nonexistent/flow-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/flow-test-credentials",
        ]
    }

    /// The journal's records of `type` (10: a step checkpoint, 2: an intent), read as `flow status` would.
    static func records(_ sandbox: Sandbox, _ id: String, type: UInt8) -> Int {
        (try? WALReader.read(directory: sandbox.journalDirectory(id)).records.filter { $0.type == type }.count) ?? 0
    }

    static func waitFor(_ what: String, process: FlowProcess, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if let r = process.poll() { throw HarnessError("flow ended before \(what): \(r)") }
            if ContinuousClock.now >= deadline { throw HarnessError("timed out after \(timeout) waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func twoKillsWhileSetWeightsWaitsForInsyncSendItsChangeOnce() async throws {
        let fixture = try await FixtureServer.shared("checkpoint-crash", pendingSeconds: 0.2)
        try await fixture.setPendingSeconds(0.2)
        let seed = try await fixture.seed()
        let sandbox = try await Sandbox()
        defer { sandbox.cleanup() }
        let port = try #require(fixture.endpoint.split(separator: ":").last.flatMap { Int($0) })
        let held = try FaultProxy(upstreamPort: port, script: Array(repeating: Self.pendingChange, count: 200),
                                  only: "/2013-04-01/change/")
        defer { held.stop() }
        let since = try await fixture.requests().last?.seq ?? 0
        try sandbox.write("shift.lua", Self.workflow)
        let id = "cp-twice"
        let args = ["--param", "zone=\(seed.zoneName)", "--param", "record=\(seed.record)"]

        // 1. Killed while waiting: its first GetChange was answered PENDING, after the checkpoint.
        let run = try sandbox.start(["run", sandbox.path("shift.lua"), "--id", id] + args,
                                    env: Self.env(endpoint: held.endpoint, region: seed.region))
        try await Self.waitFor("the first GetChange", process: run) { held.faulted >= 1 }
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)
        #expect(Self.records(sandbox, id, type: 10) == 1, "the change was checkpointed before the wait")

        // 2. The resume, killed while it waits for the same change (its GetChange answered PENDING).
        let asked = held.faulted
        let resume = try sandbox.start(["resume", id], env: Self.env(endpoint: held.endpoint, region: seed.region))
        try await Self.waitFor("the resumed attempt's GetChange", process: resume) { held.faulted > asked }
        resume.send(SIGKILL)
        #expect(await resume.wait().killedBySIGKILL)
        let atKill = try await sandbox.history(id)
        #expect(atKill.last?["kind"] as? String == "native.start" && atKill.last?["seq"] as? Int == 1,
                "killed in the step: \(atKill.last ?? [:])")
        #expect(atKill.filter { $0["kind"] as? String == "checkpoint" }.count == 1, "the resumed attempt recorded nothing new")

        // 3. Resumed to the end, against the fixture itself.
        let last = try await sandbox.flow(["resume", id], env: Self.env(endpoint: fixture.endpoint, region: seed.region),
                                          timeout: .seconds(60))
        #expect(last.code == 0, "\(last)")

        let sent = try await fixture.requests(service: "route53", operation: "ChangeResourceRecordSets").filter { $0.seq > since }
        let greens = sent.compactMap { $0.changes?.first { $0.setIdentifier == "green" }?.weight }
        #expect(sent.count == 1 && greens == [10], "the step's batch, sent \(sent.count) times: \(greens)")
        #expect(sent.allSatisfy { $0.status == 200 })

        let history = try await sandbox.history(id)
        let kinds = history.map { $0["kind"] as? String ?? "?" }
        #expect(kinds.filter { $0 == "native.start" }.count == 3, "\(kinds)")
        #expect(kinds.filter { $0 == "checkpoint" }.count == 1 && kinds.filter { $0 == "resumed" }.count == 2, "\(kinds)")
        #expect(kinds.filter { $0 == "completed" }.count == 1 && kinds.last == "finished", "\(kinds)")
        let checkpoint = try #require(history.first { $0["kind"] as? String == "checkpoint" })
        let recorded = try #require(checkpoint["result"] as? [String: Any])
        #expect(recorded["change_id"] as? String == sent.first?.changeID.map { $0.split(separator: "/").last.map(String.init) ?? $0 })
        let done = try #require(history.first { $0["kind"] as? String == "completed" }?["result"] as? [String: Any])
        #expect(done["change_id"] as? String == recorded["change_id"] as? String)
        #expect(done["changed"] as? Bool == true && done["status"] as? String == "INSYNC")
        #expect(done["previous"] as? [String: Int] == ["blue": 100, "green": 0], "as the killed attempt saw it")
        #expect(done["weights"] as? [String: Int] == ["blue": 90, "green": 10])
        let text = try await sandbox.flow(["history", id])
        #expect(text.code == 0 && text.stdout.contains("checkpoint"), "\(text)")
    }
}
