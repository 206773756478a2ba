import FlowAWS
import FlowTestSupport
import FlowWAL
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `flow watch` end to end: the real binary, events from a file, over HTTP and from SQS (an
/// EventBridge rule on moto), and a small local workflow that records the `event` it was given.
/// The claim under test: one execution per revision, with the right event, whatever the
/// duplicates, the order, the crashes and the number of watchers.
@Suite("flow watch")
struct WatchTests {
    // MARK: many events

    @Test("2,000 events from a file, duplicated and shuffled: one execution per revision, with its first event")
    func thousandsOfEventsFromAFile() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let stream = ECSEventStream(seed: 7, deliveries: 2000)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        let r = try await w.sandbox.flow(w.watch(source: "file:events.jsonl", policy: "queue"), timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        try await w.expectOneExecutionPerRevision(stream)
        // Every matching event was decided, once (a single run), and the log says so.
        let decided = try w.decisions()
        #expect(decided.count == stream.matching.count)
        #expect(Set(decided.compactMap(\.eventID)) == Set(stream.matching.map(\.id)))
        #expect(decided.filter { ["start", "queued"].contains($0.kind) }.count == 2, "\(decided.map(\.kind))")
        #expect(decided.filter { ["duplicate", "stale"].contains($0.kind) }.count == stream.matching.count - 2)
        #expect(decided.contains { $0.kind == "stale" }, "some versions arrived after newer ones of their task")
    }

    @Test("2,000 events over HTTP in batches, duplicated and shuffled: one execution per revision; SIGTERM exits 0")
    func thousandsOfEventsOverHTTP() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let stream = ECSEventStream(seed: 11, deliveries: 2000)
        let watcher = try w.sandbox.start(w.watch(source: "http:127.0.0.1:0", policy: "queue"))
        let port = try await w.port(of: watcher)
        var batch: [String] = []
        for (k, line) in stream.lines.enumerated() {
            batch.append(line)
            if batch.count == 100 || k == stream.lines.count - 1 {
                let status = try await HTTPPost.send(port: port, body: "[" + batch.joined(separator: ",") + "]")
                #expect(status == 200)
                batch = []
            }
        }
        try await w.waitForExecutions(2, allFinished: true)
        watcher.send(SIGTERM)
        let r = await watcher.wait(timeout: .seconds(10))
        #expect(r.code == 0, "\(r)")
        try await w.expectOneExecutionPerRevision(stream)
        #expect(Set(try w.decisions().compactMap(\.eventID)) == Set(stream.matching.map(\.id)))
    }

    // MARK: crashes

    /// A handful of seeded kills in CI; FLOW_WATCH_KILLS raises the count and FLOW_WATCH_SEED
    /// changes the schedule (and the events' order) for a longer campaign.
    @Test("SIGKILL at seeded random points, then restart: still exactly one execution per revision, no event lost")
    func sigkillAtRandomPoints() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["FLOW_WATCH_SEED"].flatMap { UInt64($0) } ?? 23
        let kills = environment["FLOW_WATCH_KILLS"].flatMap { Int($0) } ?? 4
        let stream = ECSEventStream(seed: seed, deliveries: 1500)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        var rng = SeededRandom(seed: seed)
        let args = w.watch(source: "file:events.jsonl", policy: "queue", extra: ["--param", "hold=0.2"])
        for k in 0..<kills {
            let p = try w.sandbox.start(args)
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...700, using: &rng)))
            p.send(SIGKILL)
            let r = await p.wait()
            // A run that ended before its kill is fine too: the next ones only find duplicates.
            #expect(r.killedBySIGKILL || r.code == 0, "run \(k): \(r)")
        }
        let last = try await w.sandbox.flow(args, timeout: .seconds(60))
        #expect(last.code == 0, "\(last)")
        try await w.expectOneExecutionPerRevision(stream, inFlightTwice: true)
        #expect(Set(try w.decisions().compactMap(\.eventID)) == Set(stream.matching.map(\.id)), "every event decided")
    }

    @Test("killed right after journaling `start`, before the execution exists: the restart creates it, under the same id")
    func crashBetweenDecisionAndCreation() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let stream = ECSEventStream(seed: 5, deliveries: 200)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        let args = w.watch(source: "file:events.jsonl", policy: "queue")
        let crashed = try await w.sandbox.flow(args, env: ["FLOW_CRASH_AT": "after-decision:1"])
        #expect(crashed.killedBySIGKILL, "\(crashed)")
        #expect(w.sandbox.executionIDs().isEmpty, "the execution was not created yet")
        let started = try #require(try w.decisions().first { $0.kind == "start" }?.execution)

        // And a second crash inside the creation: its folder and an empty journal, no start record.
        try WALWriter.create(directory: w.sandbox.journalDirectory(started)).close()
        let again = try await w.sandbox.flow(args)
        #expect(again.code == 0, "\(again)")
        #expect(again.stderr.contains("\(started): its creation was interrupted; creating it again"), "\(again.stderr)")
        try await w.expectOneExecutionPerRevision(stream)
        #expect(w.sandbox.executionIDs().contains(started))
    }

    // MARK: several watchers

    @Test("two watchers of one trigger: the second waits as a standby, takes over when the first is killed; --no-wait exits 3")
    func hotStandby() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let stream = ECSEventStream(seed: 31, deliveries: 1000)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        let args = w.watch(source: "file:events.jsonl", policy: "queue", extra: ["--name", "green", "--param", "hold=0.3"])
        let first = try w.sandbox.start(args)
        try await w.sandbox.waitUntil("the first watcher holds the trigger") { first.stderr.contains("watching file:") }
        let standby = try w.sandbox.start(args)
        try await w.sandbox.waitUntil("the standby waits") { standby.stderr.contains("standby: trigger green is watched by pid=\(first.pid) ") }

        let refused = try await w.sandbox.flow(args + ["--no-wait"])
        #expect(refused.code == 3, "\(refused)")
        // The holder is named: the first watcher, or the standby if the first already finished.
        #expect(refused.stderr.contains("locked by pid \(first.pid) ") || refused.stderr.contains("locked by pid \(standby.pid) "),
                "\(refused)")
        #expect(!refused.stderr.contains("watching file:"), "it never watched")

        try await w.sandbox.waitUntil("the first rollout started") { !w.sandbox.executionIDs().isEmpty }
        first.send(SIGKILL)
        let killed = await first.wait()
        #expect(killed.killedBySIGKILL || killed.code == 0, "\(killed)")
        let r = await standby.wait(timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.contains("took over trigger green"), "\(r.stderr)")
        try await w.expectOneExecutionPerRevision(stream, inFlightTwice: true)
    }

    @Test("two triggers in one home watch at once, each starting its own executions")
    func twoTriggersOneHome() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let stream = ECSEventStream(seed: 3, deliveries: 200)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        let a = try w.sandbox.start(w.watch(source: "file:events.jsonl", policy: "queue", extra: ["--name", "a"]))
        let b = try w.sandbox.start(w.watch(source: "file:events.jsonl", policy: "queue", extra: ["--name", "b"]))
        let (ra, rb) = (await a.wait(), await b.wait())
        #expect(ra.code == 0 && rb.code == 0, "\(ra)\n\(rb)")
        #expect(w.sandbox.executionIDs().count == 4)
        #expect(try w.decisions(trigger: "a").filter { $0.kind == "start" || $0.kind == "queued" }.count == 2)
        #expect(try w.decisions(trigger: "b").filter { $0.kind == "start" || $0.kind == "queued" }.count == 2)
    }

    // MARK: stopping and resuming

    @Test("SIGTERM stops cleanly (exit 0, the execution interrupted); the next watcher resumes it")
    func sigtermAndResume() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let args = w.watch(source: "http:127.0.0.1:0", workflow: "gated.lua")
        let watcher = try w.sandbox.start(args)
        let port = try await w.port(of: watcher)
        #expect(try await HTTPPost.send(port: port, body: ECSEventStream.event(id: "r7", task: "t1", version: 2, revision: 7)) == 200)
        let id = try await w.waitForExecutions(1)[0]
        try await w.sandbox.waitForStatus(id, "waiting", kind: "signal")
        watcher.send(SIGTERM)
        let stopped = await watcher.wait(timeout: .seconds(10))
        #expect(stopped.code == 0, "\(stopped)")
        #expect(stopped.seconds < 15, "\(stopped)")
        #expect(try await w.sandbox.statusName(id) == "interrupted")

        let next = try w.sandbox.start(args)
        try await w.sandbox.waitUntil("the next watcher resumes \(id)") { next.stderr.contains("\(id): resuming") }
        try await w.sandbox.waitForStatus(id, "waiting", kind: "signal")
        #expect(try await w.sandbox.flow(["signal", id, "go"]).code == 0)
        try await w.sandbox.waitForStatus(id, "succeeded")
        next.send(SIGTERM)
        let r = await next.wait(timeout: .seconds(10))
        #expect(r.code == 0, "\(r)")
        expectEffects(w.sandbox, once: ["done \(id)"])
    }

    @Test("a workflow that refuses its parameters stops the watcher (exit 2) without spending the key; fixed, it starts")
    func refusedWorkflowKeepsTheEvent() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        try w.sandbox.write("events.jsonl", ECSEventStream.event(id: "r7", task: "t1", version: 2, revision: 7) + "\n")
        try w.sandbox.write("w.lua", "local P = flow.params{ hold = 0.0 }\nreturn 1\n")
        let args = w.watch(source: "file:events.jsonl", workflow: "w.lua")
        let refused = try await w.sandbox.flow(args)
        #expect(refused.code == 2, "\(refused)")
        #expect(refused.stderr.contains("unknown parameter 'event'"), "\(refused)")
        #expect(w.sandbox.executionIDs().isEmpty, "the refused execution is removed")
        // The same file name, now declaring `event`: the recorded start is carried out.
        try w.sandbox.write("w.lua", try String(contentsOfFile: w.sandbox.path("record.lua"), encoding: .utf8))
        let fixed = try await w.sandbox.flow(args)
        #expect(fixed.code == 0, "\(fixed)")
        let ids = w.sandbox.executionIDs()
        #expect(ids.count == 1)
        #expect(try await w.sandbox.status(ids[0])["result"] as? String == "r7")
        #expect(try w.decisions().map(\.kind) == ["start", "duplicate"])
    }

    // MARK: policies

    @Test("supersede: the running rollout is cancelled (its fail-back runs), then the newer one starts")
    func supersede() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        try w.sandbox.write("events.jsonl", [
            ECSEventStream.event(id: "r7", task: "t1", version: 2, revision: 7),
            ECSEventStream.event(id: "r8", task: "t2", version: 2, revision: 8),
        ].joined(separator: "\n") + "\n")
        let watcher = try w.sandbox.start(w.watch(source: "file:events.jsonl", workflow: "gated.lua", policy: "supersede"))
        let ids = try await w.waitForExecutions(2)
        let (r7, r8) = (try w.revision(7, in: ids), try w.revision(8, in: ids))
        try await w.sandbox.waitForStatus(r8, "waiting", kind: "signal")
        #expect(try await w.sandbox.statusName(r7) == "cancelled")
        #expect(try await w.sandbox.flow(["signal", r8, "go"]).code == 0)
        let r = await watcher.wait(timeout: .seconds(20))
        #expect(r.code == 0, "\(r)")
        expectEffects(w.sandbox, once: ["failback \(r7)", "done \(r8)"])
        let kinds = try w.decisions().map(\.kind)
        #expect(kinds == ["start", "superseding"], "\(kinds)")
    }

    @Test("queue: the newer revision starts only when the running one finishes; reject: it never starts")
    func queueAndReject() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        try w.sandbox.write("events.jsonl", [
            ECSEventStream.event(id: "r7", task: "t1", version: 2, revision: 7),
            ECSEventStream.event(id: "r8", task: "t2", version: 2, revision: 8),
        ].joined(separator: "\n") + "\n")
        let queued = try w.sandbox.start(w.watch(source: "file:events.jsonl", workflow: "gated.lua", policy: "queue",
                                                 extra: ["--name", "queue"]))
        let r7 = try await w.waitForExecutions(1)[0]
        try await w.sandbox.waitForStatus(r7, "waiting", kind: "signal")
        try await w.sandbox.waitUntil("the newer revision queued") { queued.stderr.contains("flow: watch: queued ") }
        try await Task.sleep(for: .milliseconds(300))
        #expect(w.sandbox.executionIDs() == [r7], "nothing else starts while \(r7) runs")
        #expect(try await w.sandbox.flow(["signal", r7, "go"]).code == 0)
        let r8 = try await w.waitForExecutions(2).first { $0 != r7 }!
        try await w.sandbox.waitForStatus(r8, "waiting", kind: "signal")
        #expect(try await w.sandbox.flow(["signal", r8, "go"]).code == 0)
        #expect(await queued.wait(timeout: .seconds(20)).code == 0)
        expectEffects(w.sandbox, once: ["done \(r7)", "done \(r8)"])

        // The same events under reject, as another trigger of the home: 8 is only recorded.
        let rejecting = try w.sandbox.start(w.watch(source: "file:events.jsonl", workflow: "gated.lua", extra: ["--name", "reject"]))
        try await w.sandbox.waitUntil("the newer revision rejected") { rejecting.stderr.contains("flow: watch: rejected: ") }
        try await w.sandbox.waitUntil("the reject trigger's rollout exists") { w.sandbox.executionIDs().count == 3 }
        let started = w.sandbox.executionIDs().filter { ![r7, r8].contains($0) }
        try await w.sandbox.waitForStatus(started[0], "waiting", kind: "signal")
        #expect(try await w.sandbox.flow(["signal", started[0], "go"]).code == 0)
        #expect(await rejecting.wait(timeout: .seconds(20)).code == 0)
        #expect(try w.decisions(trigger: "reject").map(\.kind) == ["start", "rejected"])
        #expect(w.sandbox.executionIDs().count == 3)
    }

    // MARK: SQS

    @Test("end to end on moto: ECS events put on the bus, an EventBridge rule to SQS, flow watch: one execution per revision")
    func eventBridgeToSQS() async throws {
        let moto = try await MotoServer.shared("watch")
        try await withClient(moto.client(region: "us-east-1")) { client in
            let sqs = SQS(client: client)
            let bus = EventBridge(client: client)
            let queueURL = try await sqs.createQueue(name: "flow-watch")
            // moto's rules never match a field inside an array of objects (detail.containers.name),
            // so the rule leaves the container out; flow watch applies the whole seed pattern and
            // ignores the sidecar's events itself.
            let rule = #"{"source":["aws.ecs"],"detail-type":["ECS Task State Change"],"detail":{"lastStatus":["RUNNING"],"desiredStatus":["RUNNING"]}}"#
            try await bus.putRule(name: "green-running", eventPattern: rule)
            try await bus.putTargets(rule: "green-running", targets: [(id: "q", arn: try await sqs.getQueueArn(queueURL: queueURL))])
            // moto's PutEvents spends ~150 ms on each event it delivers to SQS, so the first 30
            // go through the rule and the rest straight into the queue, in the envelope
            // EventBridge would have written (FLOW_WATCH_SQS_EVENTS sets the total).
            let total = ProcessInfo.processInfo.environment["FLOW_WATCH_SQS_EVENTS"].flatMap { Int($0) } ?? 200
            let stream = ECSEventStream(seed: 17, deliveries: total)
            func put(_ deliveries: ArraySlice<ECSEventStream.Delivery>) async throws {
                let entries = deliveries.map { d in
                    EventBridge.Entry(source: "aws.ecs", detailType: "ECS Task State Change", detail: d.detailJSON, resources: [d.taskArn])
                }
                #expect(try await bus.putEvents(entries).FailedEntryCount == 0)
            }

            let w = try await WatchWorld()
            defer { w.sandbox.cleanup() }
            let env = ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent/flow-test-config",
                       "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/flow-test-credentials"]
            let watcher = try w.sandbox.start(w.watch(source: "sqs:" + queueURL, policy: "queue", extra: ["--region", "us-east-1"]),
                                              env: env)
            // A standard queue does not keep order: revision 7's first event goes alone, so that 8
            // is not seen first (which would make 7 stale, correctly, and leave one execution).
            try await put(stream.deliveries[0..<1])
            try await w.sandbox.waitUntil("the first event decided", timeout: .seconds(60)) { (try? w.decisions().count) == 1 }
            let viaRule = min(30, stream.deliveries.count)
            for chunk in stride(from: 1, to: viaRule, by: 10) {
                try await put(stream.deliveries[chunk..<min(chunk + 10, viaRule)])
            }
            let direct = Array(stream.deliveries[viaRule...])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        for d in stride(from: lane, to: direct.count, by: 8) {
                            _ = try await sqs.sendMessage(queueURL: queueURL, body: direct[d].text)
                        }
                    }
                }
                try await group.waitForAll()
            }
            // EventBridge gives each delivery its own envelope id: "all delivered" is counted in decisions.
            try await w.sandbox.waitUntil("every matching event decided", timeout: .seconds(120)) {
                (try? w.decisions().count) == stream.matching.count
            }
            try await w.waitForExecutions(2, allFinished: true)
            let stopAt = ContinuousClock.now
            watcher.send(SIGTERM)
            let r = await watcher.wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(stopAt.duration(to: .now) < .seconds(15), "SIGTERM does not wait for the long poll to end: \(r)")
            try await w.expectOneExecutionPerRevision(stream, byTask: true)
            let left = try await sqs.receiveMessage(queueURL: queueURL, maxMessages: 10, waitSeconds: 0)
            #expect(left.isEmpty, "every message was deleted after its decision: \(left.count) left")
        }
    }
}

// MARK: - the world of a watch test

/// A sandbox with two small workflows that take the triggering `event`:
///   record.lua  appends "ID EVENT-ID" to `effects` and returns the event's id;
///   gated.lua   waits for the signal `go`, appends "done ID"; its on_failure appends "failback ID".
final class WatchWorld {
    let sandbox: Sandbox
    static let pattern = FlowBinary.packageRoot + "/workflows/canary.trigger.json"

    init() async throws {
        sandbox = try await Sandbox()
        try sandbox.write("record.lua", """
            local P = flow.params{ event = {}, hold = 0.0 }
            if P.hold > 0 then flow.sleep(P.hold) end
            flow.exec{ cmd = "echo " .. flow.id() .. " " .. P.event.id .. " >> effects", shell = true }
            return P.event.id
            """)
        try sandbox.write("gated.lua", """
            local P = flow.params{ event = {} }
            flow.on_failure(function()
              flow.exec{ cmd = "echo failback " .. flow.id() .. " >> effects", shell = true }
            end)
            flow.signal("go", { timeout = 30 })
            flow.exec{ cmd = "echo done " .. flow.id() .. " >> effects", shell = true }
            return P.event.id
            """)
    }

    func watch(source: String, workflow: String = "record.lua", policy: String? = nil, extra: [String] = []) -> [String] {
        var args = ["watch", "--source", source, "--pattern", Self.pattern, "--run", workflow, "--sync", "none"]
        if let policy { args += ["--policy", policy] }
        return args + extra
    }

    /// The port an `http:127.0.0.1:0` watcher listens on, from its log.
    func port(of p: FlowProcess) async throws -> Int {
        var port: Int?
        try await sandbox.waitUntil("the watcher listens") {
            port = p.stderr.components(separatedBy: "flow: watch: listening on port ").dropFirst().first
                .flatMap { Int($0.prefix { $0.isNumber }) }
            return port != nil || !p.isRunning
        }
        guard let port else { throw HarnessError("the watcher exited before listening: \(p.stderr)") }
        return port
    }

    /// Waits until `count` executions exist (and, with `allFinished`, none is unfinished).
    @discardableResult
    func waitForExecutions(_ count: Int, allFinished: Bool = false, timeout: Duration = .seconds(30)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let ids = sandbox.executionIDs()
            if ids.count >= count {
                if !allFinished { return ids }
                var done = true
                for id in ids where !["succeeded", "failed", "cancelled"].contains((try? await sandbox.statusName(id)) ?? "") {
                    done = false
                }
                if done { return ids }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("expected \(count) executions\(allFinished ? ", finished" : ""); have \(sandbox.executionIDs())")
    }

    /// The execution of a revision: its id's readable part ends with the revision.
    func revision(_ n: Int, in ids: [String]) throws -> String {
        guard let id = ids.first(where: { $0.contains("-canary-app-\(n)-") }) else {
            throw HarnessError("no execution of revision \(n) among \(ids)")
        }
        return id
    }

    /// Exactly one execution per revision of the stream, succeeded, each given the first
    /// matching event of its revision (or, `byTask`, an event of that revision: over SQS the
    /// envelope ids are EventBridge's). `inFlightTwice`: a kill may have re-run the workflow's
    /// step in flight, so its effect may be there twice.
    func expectOneExecutionPerRevision(_ stream: ECSEventStream, inFlightTwice: Bool = false, byTask: Bool = false,
                                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let ids = sandbox.executionIDs()
        #expect(ids.count == 2, "executions: \(ids)", sourceLocation: sourceLocation)
        for number in [7, 8] {
            let id = try revision(number, in: ids)
            let status = try await sandbox.status(id)
            #expect(status["status"] as? String == "succeeded", "\(id): \(status)", sourceLocation: sourceLocation)
            let eventID = status["result"] as? String ?? "?"
            if byTask {
                #expect(!eventID.isEmpty && eventID != "?", sourceLocation: sourceLocation)
            } else {
                #expect(eventID == stream.firstMatching[number], "\(id) got \(eventID)", sourceLocation: sourceLocation)
            }
            let runs = sandbox.lines().filter { $0 == "\(id) \(eventID)" }.count
            #expect(inFlightTwice ? (1...2).contains(runs) : runs == 1, "\(id) ran \(runs) times", sourceLocation: sourceLocation)
        }
        #expect(sandbox.lines().allSatisfy { line in ids.contains { line.hasPrefix($0 + " ") } }, "\(sandbox.lines())",
                sourceLocation: sourceLocation)
    }

    struct DecisionRecord {
        var kind: String
        var eventID: String?
        var execution: String?
    }

    /// The decisions journaled by a trigger (the only one of the home when `trigger` is nil).
    func decisions(trigger: String? = nil) throws -> [DecisionRecord] {
        let root = sandbox.home + "/triggers"
        let names = try FileManager.default.contentsOfDirectory(atPath: root)
        guard let name = trigger ?? names.first else {
            throw HarnessError("no trigger in \(root)")
        }
        let records = try WALReader.read(directory: root + "/" + name + "/journal").records
        return try records.filter { $0.type == 2 }.map { r in
            let o = try Sandbox.object(String(decoding: r.payload, as: UTF8.self))
            let decision = o["decision"] as? [String: Any] ?? [:]
            let facts = o["facts"] as? [String: Any] ?? [:]
            return DecisionRecord(kind: decision["kind"] as? String ?? "?", eventID: facts["eventID"] as? String,
                                  execution: decision["execution"] as? String)
        }
    }
}

/// ECS task events of the green service for two revisions, 7 and 8, as a bus delivers them: each
/// task goes PENDING (version 1), RUNNING (2), RUNNING again (3: a health change), STOPPED (4),
/// each delivered one to three times (a redelivery keeps the event id), plus events of another
/// container, all shuffled with a seed. One RUNNING event of revision 7 comes first: were 8 seen
/// first, 7 would be stale (correctly) and there would be one execution, not two.
struct ECSEventStream {
    struct Delivery {
        var id: String
        var task: String
        var version: Int
        var revision: Int
        var matches: Bool
        var text: String
        var detailJSON: String
        var taskArn: String { ECSEventStream.taskArn(task) }
    }

    var deliveries: [Delivery] = []
    var lines: [String] { deliveries.map(\.text) }
    var matching: [Delivery] { deliveries.filter(\.matches) }
    /// Per revision, the id of its first matching event in delivery order: the one its execution gets.
    var firstMatching: [Int: String] = [:]

    static let cluster = "arn:aws:ecs:us-east-1:111122223333:cluster/FargateCluster"
    static func taskArn(_ task: String) -> String { "arn:aws:ecs:us-east-1:111122223333:task/FargateCluster/" + task }

    init(seed: UInt64, deliveries count: Int) {
        var rng = SeededRandom(seed: seed)
        var all: [Delivery] = []
        var n = 0
        while all.count < count {
            let revision = n % 2 == 0 ? 7 : 8
            let task = "task\(n)"
            for (version, status) in [(1, "PENDING"), (2, "RUNNING"), (3, "RUNNING"), (4, "STOPPED")] {
                let container = n % 10 == 9 ? "sidecar" : "green-app"
                let d = Self.delivery(id: "ev-\(task)-\(version)", task: task, version: version, revision: revision,
                                      status: status, container: container)
                for _ in 0..<Int.random(in: 1...3, using: &rng) where all.count < count { all.append(d) }
            }
            n += 1
        }
        all.shuffle(using: &rng)
        let first = all.firstIndex { $0.matches && $0.revision == 7 }!
        all.insert(all.remove(at: first), at: 0)
        deliveries = all
        for d in all where d.matches && firstMatching[d.revision] == nil { firstMatching[d.revision] = d.id }
    }

    static func event(id: String, task: String, version: Int, revision: Int, status: String = "RUNNING") -> String {
        delivery(id: id, task: task, version: version, revision: revision, status: status, container: "green-app").text
    }

    static func delivery(id: String, task: String, version: Int, revision: Int, status: String, container: String) -> Delivery {
        let detail: [String: Any] = [
            "clusterArn": cluster, "group": "service:canary-green", "taskArn": taskArn(task),
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/canary-app:\(revision)",
            "lastStatus": status, "desiredStatus": status == "STOPPED" ? "STOPPED" : "RUNNING", "version": version,
            "containers": [["name": container, "lastStatus": status, "taskArn": taskArn(task)]],
        ]
        let envelope: [String: Any] = [
            "version": "0", "id": id, "detail-type": "ECS Task State Change", "source": "aws.ecs",
            "account": "111122223333", "time": "2026-11-26T12:00:00Z", "region": "us-east-1",
            "resources": [taskArn(task)], "detail": detail,
        ]
        let matches = status == "RUNNING" && container == "green-app"
        return Delivery(id: id, task: task, version: version, revision: revision, matches: matches,
                        text: json(envelope), detailJSON: json(detail))
    }

    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// A seeded generator, so a failing order or kill schedule can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// POSTs one body to a watcher's HTTP source; returns the status.
enum HTTPPost {
    static func send(port: Int, body: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/events")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
