import FlowAWS
import FlowTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The canary killed at chosen points of each phase of the rollout (the shifts, the watch, the
/// fail-back) and at a random instant, then `flow resume`d: the rollout ends where it should
/// (0/100 after success, 100/0 after fail-back), no step is skipped, and Route53 saw every
/// weight change once, the one in flight at the kill at most twice, never a partial batch.
///
/// The sequence numbers come from a clean run's `flow history --json`:
///   1 ecs.await_task, 2 failback.capture,
///   3 set_weights 90/10, 4 health.all (watch at 10 %),
///   5 set_weights 50/50, 6 health.all (watch at 50 %),
///   7 set_weights 0/100, 8 health.all (watch at 100 %), finished.
/// When the watch at 50 % fails, `compensating` is journaled with seq 7 (the body's next step)
/// and failback.restore (100/0) runs as seq 7.
///
/// Its own fixture ("rollouts-crash"), so it can run beside CanaryTests; serialized within.
@Suite(.serialized) struct CanaryCrashTests {
    static let rolledOut = ["blue": 0, "green": 100]
    static let failedBack = ["blue": 100, "green": 0]

    @Test func crashAfterTheIntentOfTheFirstShiftResumesAndShiftsOnce() async throws {
        try await CrashWorld.with { w in
            let params = try w.params()
            let run = try await w.run(id: "c-intent3", params: params, crashAt: "after-intent:3")
            #expect(run.killedBySIGKILL, "\(run)")
            // Killed after the intent, before the request: nothing was sent yet.
            #expect(try await w.greenWeightsChanged() == [])
            #expect(try await w.sandbox.statusName("c-intent3") == "interrupted")

            let resume = try await w.resume("c-intent3")
            try await w.expectRolledOut("c-intent3", resume, resumes: 1, inFlight: [10])
            // Run again (set_weights is idempotent, so without the "was in flight" warning).
            let history = try await w.sandbox.history("c-intent3")
            #expect(CrashWorld.records(history, kind: "native.start", seq: 3).count == 2, "the in-flight shift ran again")
            #expect(try await w.greenWeightsChanged() == [10, 50, 100], "nothing had been sent before the crash")
        }
    }

    @Test func crashAfterTheOutcomeOfTheFiftyPercentShiftResumesWithoutRepeatingIt() async throws {
        try await CrashWorld.with { w in
            let run = try await w.run(id: "c-outcome5", params: try w.params(), crashAt: "after-outcome:5")
            #expect(run.killedBySIGKILL, "\(run)")
            #expect(try await w.greenWeightsChanged() == [10, 50])
            #expect(try await w.weights() == ["blue": 50, "green": 50])

            let resume = try await w.resume("c-outcome5")
            try await w.expectRolledOut("c-outcome5", resume, resumes: 1)
        }
    }

    @Test func crashDuringTheWatchAtFiftyPercentRunsTheWatchAgain() async throws {
        try await CrashWorld.with { w in
            let run = try await w.run(id: "c-watch6", params: try w.params(), crashAt: "after-intent:6")
            #expect(run.killedBySIGKILL, "\(run)")
            #expect(try await w.greenWeightsChanged() == [10, 50])
            let atCrash = try await w.sandbox.history("c-watch6")
            #expect(atCrash.last?["kind"] as? String == "native.start" && atCrash.last?["name"] as? String == "health.all",
                    "the gate step is in flight at the crash: \(atCrash.last ?? [:])")

            let resume = try await w.resume("c-watch6")
            try await w.expectRolledOut("c-watch6", resume, resumes: 1)
            let history = try await w.sandbox.history("c-watch6")
            #expect(CrashWorld.records(history, kind: "native.start", seq: 6).count == 2, "the watch ran again after the crash")
        }
    }

    /// The shift's request has reached Route53 (PENDING) and the step waits for INSYNC when the
    /// process is SIGKILLed from outside: the re-run finds the weights in place, and still waits
    /// until the killed attempt's change is INSYNC before the watch begins.
    @Test func sigkillWhileAShiftWaitsForInsyncDoesNotShiftTwice() async throws {
        try await CrashWorld.with { w in
            // The killed process reaches the fixture through a proxy that answers its GetChange
            // PENDING, so the kill lands during the wait however slow the machine (a 5 s PENDING
            // alone was a window a stalled test could miss). The fixture's own PENDING is long
            // for this change, so the resume, which talks to the fixture directly, has to wait for it.
            try await w.fixture.setPendingSeconds(5)
            let port = try #require(Int(w.fixture.endpoint.split(separator: ":").last ?? ""))
            let held = try FaultProxy(upstreamPort: port, script: Array(repeating: CheckpointCrashTests.pendingChange, count: 200),
                                      only: "/2013-04-01/change/")
            defer { held.stop() }
            let p = try w.startCanary(id: "c-insync", params: try w.params(), endpoint: held.endpoint)
            try await w.waitForGreen(10, process: p)
            try await CheckpointCrashTests.waitFor("the shift's first GetChange", process: p) { held.faulted >= 1 }
            p.send(SIGKILL)
            let killed = await p.wait()
            #expect(killed.killedBySIGKILL, "\(killed)")
            try await w.fixture.setPendingSeconds(0.2)
            let atKill = try await w.sandbox.history("c-insync")
            // The intent, or the checkpoint of the change it sent (if the kill came after it was synced).
            #expect(["native.start", "checkpoint"].contains(atKill.last?["kind"] as? String) && atKill.last?["seq"] as? Int == 3,
                    "set_weights 10 % is in flight at the kill: \(atKill.last ?? [:])")

            let resume = try await w.resume("c-insync")
            try await w.expectRolledOut("c-insync", resume, resumes: 1, inFlight: [10])

            // What the re-run journaled about INSYNC, against the fixture's clock: it completed only
            // once the killed attempt's change was INSYNC, so the watch at 10 % saw moved traffic.
            let history = try await w.sandbox.history("c-insync")
            let done = try #require(CrashWorld.records(history, kind: "completed", seq: 3).first)
            let doneAt = try #require(CrashWorld.date(done["time"]))
            let change = try #require(try await w.changes().first { ($0["comment"] as? String)?.hasSuffix("step 3: blue=90 green=10") == true })
            let insyncAt = try #require(change["insync_at"] as? Double)
            // The resumed in-flight set_weights finds its weights in place and still waits for the
            // killed attempt's change: the one its checkpoint names, or, killed before the checkpoint
            // was synced, a second batch of the same UPSERTs, which Route53 makes INSYNC after it.
            #expect(doneAt.timeIntervalSince1970 >= insyncAt,
                    "seq 3 completed at \(doneAt.timeIntervalSince1970) with \(done["result"] ?? "?"), its change \(change["id"] ?? "?") is INSYNC only at \(insyncAt)")
        }
    }

    @Test func crashAfterTheCompensatingRecordStillFailsBack() async throws {
        try await CrashWorld.with { w in
            let id = "c-comp"
            let run = try await w.run(id: id, params: try w.params(), crashAt: "after-outcome:5")
            #expect(run.killedBySIGKILL, "\(run)")
            try await w.makeGreenUnhealthy()
            let failing = try await w.resume(id, crashAt: "after-compensating:7")
            #expect(failing.killedBySIGKILL, "\(failing)")
            #expect(try await w.greenWeightsChanged() == [10, 50], "no restore before the crash")
            let status = try await w.sandbox.status(id)
            #expect(status["status"] as? String == "interrupted")
            #expect(status["compensating"] as? Bool == true, "\(status)")

            let resume = try await w.resume(id)
            try await w.expectFailedBack(id, resume, resumes: 2)
        }
    }

    @Test func crashAfterTheIntentOfTheRestoreRestoresOnce() async throws {
        try await CrashWorld.with { w in
            let id = "c-restore"
            let run = try await w.run(id: id, params: try w.params(), crashAt: "after-outcome:5")
            #expect(run.killedBySIGKILL, "\(run)")
            try await w.makeGreenUnhealthy()
            let failing = try await w.resume(id, crashAt: "after-intent:7")
            #expect(failing.killedBySIGKILL, "\(failing)")
            let atCrash = try await w.sandbox.history(id)
            #expect(atCrash.last?["name"] as? String == "failback.restore" && atCrash.last?["kind"] as? String == "native.start",
                    "the restore is in flight at the crash: \(atCrash.last ?? [:])")
            #expect(try await w.weights() == ["blue": 50, "green": 50])

            let resume = try await w.resume(id)
            try await w.expectFailedBack(id, resume, resumes: 2, inFlight: [0])
        }
    }

    /// FLOW_CRASH_SEED=N reproduces the instant (the timing of the machine aside).
    @Test func sigkillAtARandomInstantThenResume() async throws {
        let seed = ProcessInfo.processInfo.environment["FLOW_CRASH_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64(UInt32.max))
        var rng = SplitMix64(seed: seed)
        // A clean run takes about 3.5 s here (three shifts of ~0.55 s, three watches of 0.6 s).
        // From 0.3 s on: a kill in the first ~60 ms (while `flow run` creates the execution,
        // before the start record) is the campaign's business (see docs/RELIABILITY.md).
        let delay = 0.3 + Double(rng.next() % 3_200) / 1000
        print("sigkillAtARandomInstantThenResume: FLOW_CRASH_SEED=\(seed) (SIGKILL after \(delay) s)")
        try await CrashWorld.with { w in
            let id = "c-random"
            let p = try w.startCanary(id: id, params: try w.params())
            try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            p.send(SIGKILL)
            let killed = await p.wait()
            let history = try await w.sandbox.history(id)
            let last = history.last ?? [:]
            let phase = "\(last["kind"] ?? "?") seq \(last["seq"] ?? "-") \(last["name"] ?? "")"
            let context = "FLOW_CRASH_SEED=\(seed): SIGKILL after \(String(format: "%.3f", delay)) s, at \(phase)"
            let inFlight: Set<Int> = last["kind"] as? String == "native.start" && last["name"] as? String == "route53.set_weights"
                ? [((last["args"] as? [String: Any])?["weights"] as? [String: Any])?["green"] as? Int ?? -1] : []
            if killed.code == 0 {
                // The kill came after the end: nothing to resume, the result must still hold.
                try await w.expectRolledOut(id, killed, resumes: 0, context: context)
                return
            }
            #expect(killed.killedBySIGKILL, "\(context): \(killed)")
            let resume = try await w.resume(id)
            // Killed after `finished` was journaled: the resume only says it is finished.
            let resumes = last["kind"] as? String == "finished" ? 0 : 1
            try await w.expectRolledOut(id, resume, resumes: resumes, inFlight: inFlight, context: context)
        }
    }
}

/// A rollout world of its own for the crash suite (the fixture "rollouts-crash"), with what
/// resuming and checking a killed canary needs.
final class CrashWorld {
    /// The common rollout world (fixture, seed, sandbox, client, environment) on this suite's fixture.
    let world: RolloutWorld
    var fixture: FixtureServer { world.fixture }
    var seed: FixtureSeed { world.seed }
    var sandbox: Sandbox { world.sandbox }
    var client: AWSClient { world.client }
    var env: [String: String] { world.env }

    init() async throws {
        world = try await RolloutWorld(fixture: "rollouts-crash")
    }

    static func with(_ body: (CrashWorld) async throws -> Void) async throws {
        let w = try await CrashWorld()
        do {
            try await body(w)
        } catch {
            await w.world.close()
            throw error
        }
        await w.world.close()
    }

    func params(wait: Double = 0.6, poll: Double = 0.2) throws -> String {
        let p: [String: Any] = [
            "zone": seed.zoneName, "record": seed.record, "cluster": seed.cluster, "service": seed.green.service,
            "target_group": seed.green.tgName, "wait": wait, "poll": poll, "task_timeout": 10.0,
        ]
        let data = try JSONSerialization.data(withJSONObject: p, options: [.sortedKeys])
        let name = "params-\(UUID().uuidString.prefix(6)).json"
        try sandbox.write(name, String(decoding: data, as: UTF8.self))
        return sandbox.path(name)
    }

    /// `endpoint`: another AWS endpoint than the fixture's (a proxy in front of it).
    func startCanary(id: String, params: String, crashAt: String? = nil, endpoint: String? = nil) throws -> FlowProcess {
        var e = env
        if let crashAt { e["FLOW_CRASH_AT"] = crashAt }
        if let endpoint { e["AWS_ENDPOINT_URL"] = endpoint }
        return try sandbox.start(["run", RolloutWorld.canary, "--id", id, "--params", params, "--json-events"], env: e)
    }

    /// `flow run` to its end (or its crash).
    func run(id: String, params: String, crashAt: String? = nil) async throws -> CLIResult {
        let p = try startCanary(id: id, params: params, crashAt: crashAt)
        let r = await p.wait(timeout: .seconds(60))
        if r.timedOut { throw HarnessError("flow run \(id) timed out: \(r)") }
        return r
    }

    /// `flow resume ID` to its end (or its crash): a resume that never ends fails the test.
    func resume(_ id: String, crashAt: String? = nil) async throws -> CLIResult {
        var e = env
        if let crashAt { e["FLOW_CRASH_AT"] = crashAt }
        return try await sandbox.flow(["resume", id, "--json-events"], env: e, timeout: .seconds(60))
    }

    func makeGreenUnhealthy() async throws {
        try await fixture.setTargetHealth(targetGroupArn: seed.green.tgArn, state: "unhealthy")
    }

    func weights() async throws -> [String: Int] {
        let sets = try await Route53(client: client).listResourceRecordSets(zoneID: seed.zoneID)
        var out: [String: Int] = [:]
        for s in sets where s.name == seed.record { if let id = s.setIdentifier { out[id] = s.weight } }
        return out
    }

    /// Every ChangeResourceRecordSets the fixture saw (accepted or not), oldest first.
    func changeRequests() async throws -> [FixtureRequest] {
        try await fixture.requests(service: "route53", operation: "ChangeResourceRecordSets")
    }

    func greenWeightsChanged() async throws -> [Int] {
        try await changeRequests().filter { $0.status == 200 }
            .compactMap { r in r.changes?.first { $0.setIdentifier == "green" }?.weight }
    }

    /// The fixture's Route53 change ids: id, comment, submitted_at, insync_at (epoch seconds), status.
    func changes() async throws -> [[String: Any]] {
        let data = try await fixture.control("GET", "/_fixture/changes")
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["changes"] as? [[String: Any]] ?? []
    }

    /// Polls the request log until green's weight `percent` has been accepted (the process must still run).
    func waitForGreen(_ percent: Int, process: FlowProcess, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await greenWeightsChanged().contains(percent) { return }
            if let r = process.poll() { throw HarnessError("the canary ended before green reached \(percent)%: \(r)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HarnessError("green never reached \(percent)%: changes \(try await greenWeightsChanged())")
    }

    // MARK: the invariants

    /// Success: exit 0, 0/100, shifts 10 -> 50 -> 100 each journaled once, no restore.
    func expectRolledOut(_ id: String, _ last: CLIResult, resumes: Int, inFlight: Set<Int> = [], context: String = "",
                         sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let why = context.isEmpty ? "" : context + ": "
        #expect(last.code == 0, "\(why)\(last)", sourceLocation: sourceLocation)
        try await expectEnd(id, status: "succeeded", weights: CanaryCrashTests.rolledOut, greens: [10, 50, 100],
                            shifts: [3: 10, 5: 50, 7: 100], restoreSeq: nil, steps: 8, resumes: resumes,
                            inFlight: inFlight, why: why, sourceLocation: sourceLocation)
    }

    /// Fail-back at the watch at 50 %: exit 1, 100/0, shifts 10 and 50 then one restore (seq 7).
    func expectFailedBack(_ id: String, _ last: CLIResult, resumes: Int, inFlight: Set<Int> = [], context: String = "",
                          sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let why = context.isEmpty ? "" : context + ": "
        #expect(last.code == 1, "\(why)\(last)", sourceLocation: sourceLocation)
        try await expectEnd(id, status: "failed", weights: CanaryCrashTests.failedBack, greens: [10, 50, 0],
                            shifts: [3: 10, 5: 50], restoreSeq: 7, steps: 7, resumes: resumes,
                            inFlight: inFlight, why: why, sourceLocation: sourceLocation)
    }

    private func expectEnd(_ id: String, status wanted: String, weights wantedWeights: [String: Int], greens: [Int],
                           shifts: [Int: Int], restoreSeq: Int?, steps: Int, resumes: Int, inFlight: Set<Int>,
                           why: String, sourceLocation: SourceLocation) async throws {
        // Where traffic is now, and nothing part-shifted.
        #expect(try await weights() == wantedWeights, "\(why)final weights", sourceLocation: sourceLocation)

        // Route53's side: every batch whole (both sets, 100 in all) and accepted; each weight
        // change once in the order of the schedule, only the in-flight one possibly twice.
        let requests = try await changeRequests()
        for r in requests {
            let sets = (r.changes ?? []).map { "\($0.setIdentifier ?? "?")=\($0.weight.map(String.init) ?? "?")" }
            let total = (r.changes ?? []).compactMap(\.weight).reduce(0, +)
            #expect(r.status == 200, "\(why)a rejected or failed batch: \(sets) \(r.error ?? "")", sourceLocation: sourceLocation)
            #expect(Set((r.changes ?? []).compactMap(\.setIdentifier)) == ["blue", "green"] && r.changes?.count == 2 && total == 100,
                    "\(why)a partial batch: \(sets)", sourceLocation: sourceLocation)
        }
        let seen = try await greenWeightsChanged()
        var collapsed: [Int] = []
        for g in seen where collapsed.last != g { collapsed.append(g) }
        #expect(collapsed == greens, "\(why)green's weight changes \(seen), expected \(greens)", sourceLocation: sourceLocation)
        for g in Set(seen) {
            let n = seen.filter { $0 == g }.count
            let limit = inFlight.contains(g) ? 2 : 1
            #expect(n <= limit, "\(why)green=\(g) was sent \(n) times (limit \(limit)): \(seen)", sourceLocation: sourceLocation)
        }

        // The journal: readable, every step finished exactly once, no shift skipped.
        let history = try await sandbox.history(id)
        #expect(history.last?["kind"] as? String == "finished" && history.last?["name"] as? String == wanted,
                "\(why)last record \(history.last ?? [:])", sourceLocation: sourceLocation)
        #expect(history.filter { $0["kind"] as? String == "finished" }.count == 1, sourceLocation: sourceLocation)
        #expect(history.filter { $0["kind"] as? String == "resumed" }.count == resumes, "\(why)resumed records", sourceLocation: sourceLocation)
        for seq in 1...steps {
            let done = Self.records(history, kind: "completed", seq: seq)
            #expect(done.count == 1, "\(why)seq \(seq) has \(done.count) completed records", sourceLocation: sourceLocation)
        }
        for (seq, green) in shifts.sorted(by: { $0.key < $1.key }) {
            let intents = Self.records(history, kind: "native.start", seq: seq).filter { $0["name"] as? String == "route53.set_weights" }
            let greensJournaled = Set(intents.compactMap { (($0["args"] as? [String: Any])?["weights"] as? [String: Any])?["green"] as? Int })
            #expect(!intents.isEmpty && greensJournaled == [green], "\(why)seq \(seq) should shift green to \(green): \(intents)",
                    sourceLocation: sourceLocation)
        }
        let restores = history.filter { $0["kind"] as? String == "native.start" && $0["name"] as? String == "failback.restore" }
        if let restoreSeq {
            #expect(history.filter { $0["kind"] as? String == "compensating" }.count == 1, sourceLocation: sourceLocation)
            #expect(!restores.isEmpty && restores.allSatisfy { $0["seq"] as? Int == restoreSeq }, "\(why)restores \(restores)",
                    sourceLocation: sourceLocation)
        } else {
            #expect(restores.isEmpty && !history.contains { $0["kind"] as? String == "compensating" },
                    "\(why)no fail-back on the success path", sourceLocation: sourceLocation)
        }

        // Finished, nobody driving it, not stuck in compensation.
        let status = try await sandbox.status(id)
        #expect(status["status"] as? String == wanted, "\(why)status \(status)", sourceLocation: sourceLocation)
        #expect(status["compensating"] as? Bool == false, sourceLocation: sourceLocation)
        #expect(status["driver"] is NSNull || status["driver"] == nil, "\(why)driver \(status["driver"] ?? "?")", sourceLocation: sourceLocation)
        #expect(status["finished_at"] is String, sourceLocation: sourceLocation)
    }

    static func records(_ history: [[String: Any]], kind: String, seq: Int) -> [[String: Any]] {
        history.filter { $0["kind"] as? String == kind && $0["seq"] as? Int == seq }
    }

    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }
}

/// A small seedable generator (SplitMix64), so a failing random kill can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
