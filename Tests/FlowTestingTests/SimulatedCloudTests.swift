import FlowEngine
import FlowLua
import FlowTesting
import Synchronization
import Testing

/// A virtual clock for these suites: time jumps by what a sleep asks (stopping at its deadline),
/// and every change of `cloud` that falls due on the way is applied, as `flow test` applies them.
final class CloudTestClock: RunClock {
    let start: Millis
    private let time: Mutex<(now: Millis, applied: Int)>
    private let cloud: SimulatedCloud?

    init(start: Millis = 1_700_000_000_000, cloud: SimulatedCloud? = nil) {
        self.start = start
        self.cloud = cloud
        time = Mutex((start, 0))
    }

    func now() -> Millis { time.withLock { $0.now } }

    var elapsed: Double { Double(now() - start) / 1000 }

    /// Moves to `target`, applying each change due by then at its own time.
    func advance(to target: Millis) {
        let changes = cloud?.changes ?? []
        while true {
            let next: LuaValue? = time.withLock { t in
                guard t.applied < changes.count else { return nil }
                let at = start + Millis(changes[t.applied].at * 1000)
                guard at <= target else { return nil }
                t.now = max(t.now, at)
                t.applied += 1
                return changes[t.applied - 1].change
            }
            guard let next else { break }
            try? cloud?.apply(next)
        }
        time.withLock { $0.now = max($0.now, target) }
    }

    func wait(until deadline: Millis?, poll: Duration) async {
        let step = Millis(poll.components.seconds * 1000 + poll.components.attoseconds / 1_000_000_000_000_000)
        advance(to: min(deadline ?? Millis.max, now() + max(step, 1)))
        await Task.yield()
    }

    func sleep(seconds: Double, stoppingAt: Millis?) async throws {
        try Task.checkCancellation()
        advance(to: min(stoppingAt ?? Millis.max, now() + Millis((seconds * 1000).rounded(.up))))
        await Task.yield()
    }

    var isExhausted: Bool { false }
    var isVirtual: Bool { true }
}

/// Helpers of the simulated-cloud suites.
enum CloudSim {
    static func context(_ clock: CloudTestClock, attempt: Int = 1) -> StepContext {
        var c = StepContext(executionID: "sim", seq: 1, attempt: attempt)
        c.clock = clock
        return c
    }

    static func call(_ cloud: SimulatedCloud, _ name: String, _ args: StepValue, clock: CloudTestClock) async throws -> StepValue {
        guard let body = cloud.implementations()[name] else { throw StepFailure("Missing", "no simulated \(name)") }
        return try await body(args, context(clock))
    }

    static func failure(_ body: () async throws -> Void) async -> StepFailure? {
        do {
            try await body()
            return nil
        } catch let f as StepFailure {
            return f
        } catch {
            return StepFailure("Unexpected", "\(type(of: error)): \(error)")
        }
    }

    static func cloud(_ scenario: LuaValue) throws -> SimulatedCloud { try SimulatedCloud(scenario: scenario) }

    static func scenarioError(_ scenario: LuaValue) -> String? {
        do {
            _ = try SimulatedCloud(scenario: scenario)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let blueGreen: LuaValue = [
        "records": [["zone": "example.com", "name": "app.example.com", "weights": ["blue": 100, "green": 0]]],
        "target_groups": ["app-blue": "healthy", "app-green": ["healthy", "healthy"]],
        "alarms": ["green-5xx": "OK"],
        "services": [["cluster": "prod", "name": "app-green", "running": 2, "desired": 2, "task_definition": "app:2"]],
    ]
}

@Suite struct SimulatedCloudTests {
    // MARK: the scenario

    @Test func scenarioErrorsNameTheirPath() throws {
        #expect(CloudSim.scenarioError(["records": [["zone": "example.com", "name": "a.example.com", "weights": ["blue": -1]]]])
            == "cloud.records[1].weights.blue: expected an integer 0-255, got -1")
        #expect(CloudSim.scenarioError(["recods": [:]])?.hasPrefix("cloud.recods: unknown key (expected one of: region, changes, ") == true)
        #expect(CloudSim.scenarioError(["target_groups": ["app-green": ["healthy", "sick"]]])
            == #"cloud.target_groups["app-green"][2]: expected one of healthy, unhealthy, initial, draining, unused, unavailable, unhealthy.draining, got "sick""#)
        #expect(CloudSim.scenarioError(["records": [["zone": "example.com", "weights": ["blue": 1]]]]) == "cloud.records[1].name: is required")
        #expect(CloudSim.scenarioError(["alarms": ["x": ["state": "OK", "colour": "red"]]])?.hasPrefix("cloud.alarms.x.colour: unknown key") == true)
        #expect(CloudSim.scenarioError(["metrics": [["namespace": "n", "metric": "m"]]])?.hasPrefix("cloud.metrics[1]: value") == true)
        #expect(CloudSim.scenarioError(["changes": [["target_groups": ["g": "healthy"]]]]) == "cloud.changes[1].at: is required (seconds after the start)")
        #expect(CloudSim.scenarioError(["changes": [["at": 60, "services": [["cluster": "prod", "name": "web", "running": 1]]]]])
            == #"cloud.changes[1].services[1].task_definition: is required for a new service (e.g. "app:2")"#)
        #expect(CloudSim.scenarioError(["http": ["http://x/health": ["status": 700]]])
            == #"cloud.http["http://x/health"].status: expected an HTTP status 100-599, got 700"#)
        #expect(CloudSim.scenarioError(["records": ["zone": "example.com"]]) == "cloud.records: expected a list, got a table with named fields")

        let cloud = try SimulatedCloud(scenario: CloudSim.blueGreen)
        #expect(throws: SimulatedCloudError(path: ["change", "alarms", "green-5xx"],
                                            problem: "expected one of OK, ALARM, INSUFFICIENT_DATA, got \"FIRING\"")) {
            try cloud.apply(["alarms": ["green-5xx": "FIRING"]])
        }
    }

    @Test func changesComeInTimeOrderWithoutTheirAt() throws {
        let cloud = try SimulatedCloud(scenario: [
            "alarms": ["a": "OK"],
            "changes": [["at": 720, "alarms": ["a": "ALARM"]], ["at": 60.5, "alarms": ["a": "INSUFFICIENT_DATA"]]],
        ])
        #expect(cloud.changes.map(\.at) == [60.5, 720])
        #expect(cloud.changes.map(\.change) == [["alarms": ["a": "INSUFFICIENT_DATA"]], ["alarms": ["a": "ALARM"]]])
    }

    // MARK: route53

    @Test func setWeightsThenWeightsAgree() async throws {
        let cloud = try SimulatedCloud(scenario: CloudSim.blueGreen)
        let clock = CloudTestClock(cloud: cloud)
        let set = try await CloudSim.call(cloud, "route53.set_weights",
                                     ["zone": "example.com.", "record": "APP.example.com.", "weights": ["green": 10, "blue": 90]], clock: clock)
        #expect(set["weights"] == ["blue": 90, "green": 10] && set["previous"] == ["blue": 100, "green": 0])
        #expect(set["changed"] == true && set["status"] == "INSYNC" && set["record"] == "app.example.com." && set["type"] == "A")
        #expect(set["change_id"].stringValue?.hasPrefix("C") == true && set["waited_ms"] == 0)

        // By the zone's id, as failback.restore names it.
        let read = try await CloudSim.call(cloud, "route53.weights", ["zone": set["zone_id"], "record": "app.example.com"], clock: clock)
        #expect(read["weights"] == ["blue": 90, "green": 10] && read["zone_id"] == set["zone_id"])
        guard case .array(let sets) = read["sets"] else { Issue.record("no sets: \(read)"); return }
        #expect(sets.map { $0["set"] } == ["blue", "green"] && sets[0]["alias"]["evaluate_target_health"] == true)
        #expect(cloud.snapshot(startedAt: clock.start)["weights"] == ["app.example.com": ["blue": 90, "green": 10]])

        // Already applied: nothing is sent.
        let again = try await CloudSim.call(cloud, "route53.set_weights",
                                       ["zone": "example.com", "record": "app.example.com", "weights": ["blue": 90]], clock: clock)
        #expect(again["changed"] == false && again["change_id"] == .nil && again["status"] == "INSYNC")
    }

    @Test func route53FailsAsTheRealOneDoes() async throws {
        let cloud = try SimulatedCloud(scenario: CloudSim.blueGreen)
        let clock = CloudTestClock()
        let unknown = await CloudSim.failure {
            _ = try await CloudSim.call(cloud, "route53.set_weights",
                                   ["zone": "example.com", "record": "app.example.com", "weights": ["blue": 50, "red": 50]], clock: clock)
        }
        #expect(unknown?.name == "UnknownSetIdentifier" && unknown?.retryable == false)
        #expect(unknown?.message.hasSuffix(#"has no weighted set "red"; its sets are blue, green"#) == true, "\(String(describing: unknown))")
        #expect(cloud.snapshot(startedAt: clock.start)["weights"]["app.example.com"] == ["blue": 100, "green": 0])

        let zone = await CloudSim.failure { _ = try await CloudSim.call(cloud, "route53.weights", ["zone": "example.org", "record": "a"], clock: clock) }
        #expect(zone?.name == "NoSuchHostedZone" && zone?.retryable == false)
        let id = await CloudSim.failure { _ = try await CloudSim.call(cloud, "route53.weights", ["zone": "ZNOPE", "record": "a"], clock: clock) }
        #expect(id?.name == "NoSuchHostedZone")
        let record = await CloudSim.failure {
            _ = try await CloudSim.call(cloud, "route53.weights", ["zone": "example.com", "record": "api.example.com"], clock: clock)
        }
        #expect(record?.name == "NoWeightedRecords" && record?.message.hasSuffix("no record by that name exists there") == true)

        let calls = cloud.snapshot(startedAt: clock.start)["calls"]
        guard case .array(let list) = calls else { Issue.record("calls: \(calls)"); return }
        #expect(list.map { $0["error"] } == ["UnknownSetIdentifier", "NoSuchHostedZone", "NoSuchHostedZone", "NoWeightedRecords"])
        #expect(list[0]["name"] == "route53.set_weights" && list[0]["at"] == 0.0)
    }

    @Test func zonesAndRecordTypesAreFoundAsRoute53FindsThem() async throws {
        let cloud = try CloudSim.cloud([
            "records": [
                ["zone": "example.com", "zone_id": "ZPUBLIC", "name": "app.example.com", "weights": ["blue": 1]],
                ["zone": "example.com", "zone_id": "ZPRIVATE", "name": "app.example.com", "weights": ["blue": 2]],
                ["zone": "example.com", "zone_id": "ZPRIVATE", "name": "app.example.com", "type": "CNAME", "weights": ["blue": 3]],
            ],
        ])
        let clock = CloudTestClock()
        let ambiguous = await CloudSim.failure { _ = try await CloudSim.call(cloud, "route53.weights", ["zone": "example.com", "record": "app.example.com"], clock: clock) }
        #expect(ambiguous?.name == "AmbiguousHostedZone" && ambiguous?.message.contains("(ZPRIVATE, ZPUBLIC)") == true)
        let types = await CloudSim.failure { _ = try await CloudSim.call(cloud, "route53.weights", ["zone": "/hostedzone/ZPRIVATE", "record": "app.example.com"], clock: clock) }
        #expect(types?.name == "AmbiguousRecordType" && types?.retryable == false)
        let cname = try await CloudSim.call(cloud, "route53.weights", ["zone": "ZPRIVATE", "record": "app.example.com", "type": "cname"], clock: clock)
        #expect(cname["weights"] == ["blue": 3] && cname["ttl"] == 60 && cname["type"] == "CNAME")
        #expect(throws: SimulatedCloudError.self) {
            try cloud.apply(["records": [["zone": "example.com", "zone_id": "ZPRIVATE", "name": "app.example.com", "weights": ["blue": 9]]]])
        }
        try cloud.apply(["records": [["zone": "example.com", "zone_id": "ZPUBLIC", "name": "app.example.com", "weights": ["green": 9]]]])
        let grown = try await CloudSim.call(cloud, "route53.weights", ["zone": "ZPUBLIC", "record": "app.example.com"], clock: clock)
        #expect(grown["weights"] == ["blue": 1, "green": 9])
    }

    @Test func aPendingChangeIsWaitedForInVirtualTime() async throws {
        var scenario = CloudSim.blueGreen
        if case .table(var t) = scenario { t["change_seconds"] = 30; scenario = .table(t) }
        let cloud = try SimulatedCloud(scenario: scenario)
        let clock = CloudTestClock(cloud: cloud)
        let set = try await CloudSim.call(cloud, "route53.set_weights",
                                     ["zone": "example.com", "record": "app.example.com", "weights": ["blue": 0, "green": 100]], clock: clock)
        guard case .int(let waited) = set["waited_ms"] else { Issue.record("waited_ms: \(set)"); return }
        #expect(waited >= 30_000 && waited < 35_000 && set["status"] == "INSYNC")
        #expect(clock.elapsed == Double(waited) / 1000)

        let noWait = try await CloudSim.call(cloud, "route53.set_weights", ["zone": "example.com", "record": "app.example.com",
                                                                        "weights": ["blue": 50, "green": 50], "wait": false], clock: clock)
        #expect(noWait["status"] == "PENDING" && noWait["waited_ms"] == 0)

        let stuck = await CloudSim.failure {
            _ = try await CloudSim.call(cloud, "route53.set_weights", ["zone": "example.com", "record": "app.example.com",
                                                                  "weights": ["blue": 100, "green": 0], "insync_timeout": 10], clock: clock)
        }
        #expect(stuck?.name == "ChangeNotInSync" && stuck?.retryable == true)
        // The retry finds the weights in place but waits on a fresh change, as the real one does.
        let body = try #require(cloud.implementations()["route53.set_weights"])
        let retried = try await body(["zone": "example.com", "record": "app.example.com", "weights": ["blue": 100, "green": 0]],
                                     CloudSim.context(clock, attempt: 2))
        #expect(retried["changed"] == false && retried["change_id"] != .nil && retried["status"] == "INSYNC")
    }

    // MARK: health

    @Test func targetHealthFollowsApply() async throws {
        let cloud = try SimulatedCloud(scenario: CloudSim.blueGreen)
        let clock = CloudTestClock()
        let ok = try await CloudSim.call(cloud, "health.targets", ["target_group": "app-green"], clock: clock)
        #expect(ok["status"] == "pass" && ok["reason"] == "2 of 2 targets healthy (need 100%)" && ok["value"]["healthy"] == 2)

        try cloud.apply(["target_groups": ["app-green": "unhealthy"]])
        let bad = try await CloudSim.call(cloud, "health.targets", ["target_group": "app-green"], clock: clock)
        #expect(bad["status"] == "fail")
        #expect(bad["reason"] == "0 of 2 targets healthy (need 100%): 10.2.0.10:80 unhealthy (Target.FailedHealthChecks), 10.2.0.11:80 unhealthy (Target.FailedHealthChecks)")
        #expect(cloud.snapshot(startedAt: clock.start)["targets"]["app-green"] == ["unhealthy", "unhealthy"])

        let raw = try await CloudSim.call(cloud, "health.target_health", ["target_group": "app-green"], clock: clock)
        let arn = try #require(raw["target_group"].stringValue)
        #expect(arn.contains(":targetgroup/app-green/"))
        guard case .array(let targets) = raw["targets"] else { Issue.record("targets: \(raw)"); return }
        #expect(targets.map { $0["state"] } == ["unhealthy", "unhealthy"] && targets[0]["reason"] == "Target.FailedHealthChecks")
        // The ARN finds the group too.
        let byArn = try await CloudSim.call(cloud, "health.targets", ["target_group": .string(arn), "min_healthy": 0], clock: clock)
        #expect(byArn["status"] == "pass")
        let missing = await CloudSim.failure { _ = try await CloudSim.call(cloud, "health.targets", ["target_group": "nope"], clock: clock) }
        #expect(missing?.name == "TargetGroupNotFound" && missing?.retryable == false)
    }

    @Test func alarmsMetricsAndHTTP() async throws {
        let cloud = try SimulatedCloud(scenario: [
            "alarms": ["green-5xx": "OK", "green-latency": ["state": "ALARM", "reason": "p99 > 1 s"]],
            "metrics": [["namespace": "AWS/ApplicationELB", "metric": "RequestCount", "dimensions": ["TargetGroup": "tg"], "value": 100],
                        ["namespace": "App", "metric": "Errors", "values": [0, 3]]],
            "http": ["http://green.internal/health": ["status": 200, "latency_ms": 12], "http://slow/": ["latency_ms": 5000]],
        ])
        let clock = CloudTestClock()
        let alarms = try await CloudSim.call(cloud, "health.alarms", ["prefix": "green-"], clock: clock)
        #expect(alarms["status"] == "fail" && alarms["reason"] == "1 of 2 alarms in ALARM: green-latency (p99 > 1 s)")
        let one = try await CloudSim.call(cloud, "health.alarms", ["names": "green-5xx"], clock: clock)
        #expect(one["status"] == "pass" && one["reason"] == "green-5xx is OK")

        let requests = try await CloudSim.call(cloud, "health.metric", [
            "namespace": "AWS/ApplicationELB", "metric": "RequestCount", "dimensions": ["TargetGroup": "tg"],
            "threshold": 400, "comparison": ">=",
        ], clock: clock)
        #expect(requests["status"] == "pass" && requests["reason"] == "RequestCount Sum = 500 over 300 s (must be >= 400)")
        let errors = try await CloudSim.call(cloud, "health.metric", ["namespace": "App", "metric": "Errors", "threshold": 5, "comparison": "<",
                                                                  "min_samples": 3], clock: clock)
        #expect(errors["status"] == "inconclusive" && errors["reason"] == "only 2 datapoints of Errors Sum in the last 300 s (need 3)")
        let data = try await CloudSim.call(cloud, "health.metric_data", ["namespace": "App", "metric": "Errors", "period": 60], clock: clock)
        #expect(data["values"] == [0.0, 3.0])
        guard case .array(let stamps) = data["timestamps"], case .double(let last)? = stamps.last, case .double(let first)? = stamps.first else {
            Issue.record("timestamps: \(data)"); return
        }
        #expect(last - first == 60 && last.truncatingRemainder(dividingBy: 60) == 0 && last * 1000 <= Double(clock.now()))

        let get = try await CloudSim.call(cloud, "health.http_get", ["url": "http://green.internal/health"], clock: clock)
        #expect(get["status"] == 200 && get["latency_ms"] == 12.0 && get["body"] == "")
        let refused = await CloudSim.failure { _ = try await CloudSim.call(cloud, "health.http_get", ["url": "http://blue.internal/"], clock: clock) }
        #expect(refused?.name == "HTTPError" && refused?.message == "GET http://blue.internal/: connection refused")

        let before: Millis = clock.now()
        let gate = try await CloudSim.call(cloud, "health.http", ["url": "http://slow/", "samples": 2, "interval": 1, "request_timeout": 2],
                                      clock: clock)
        #expect(gate["status"] == "fail" && gate["reason"] == "0 of 2 GET http://slow/ returned 200 (need 100%): 2 × no response within 2 s")
        let spent: Millis = clock.now() - before
        #expect(spent == 5_000, "two timeouts and one interval of virtual time")

        let all = try await CloudSim.call(cloud, "health.all", [
            "alarms": ["names": "green-5xx"], "http": ["url": "http://green.internal/health", "samples": 3, "interval": 0],
        ], clock: clock)
        #expect(all["status"] == "pass" && all["value"]["http"]["value"]["success"] == 3)
        #expect(all["reason"] == "alarms: green-5xx is OK; http: 3 of 3 GET http://green.internal/health returned 200 (need 100%); p99 latency 12 ms")
    }

    /// The gates' arguments are read with the health plugin's own types (`Threshold`,
    /// `Comparison`, `InsufficientDataPolicy`) and judged by its evaluations.
    @Test func gateArgumentsAreReadAsThePluginReadsThem() async throws {
        let cloud = try SimulatedCloud(scenario: [
            "target_groups": ["app-green": ["healthy", "healthy", "unhealthy", "initial", "draining"]],
            "alarms": ["new-errors": "INSUFFICIENT_DATA"],
            "metrics": [["namespace": "App", "metric": "Latency", "values": [0.2, 0.9, 0.4]]],
            "http": ["http://x/": ["status": 503]],
        ])
        let clock = CloudTestClock()
        func gate(_ name: String, _ args: StepValue) async throws -> (status: String?, reason: String?) {
            let r = try await CloudSim.call(cloud, "health." + name, args, clock: clock)
            return (r["status"].stringValue, r["reason"].stringValue)
        }
        let notes = "; 1 draining not counted"
        let unhealthy = "10.1.0.12:80 unhealthy (Target.FailedHealthChecks)", initial = "10.1.0.13:80 initial (Elb.RegistrationInProgress)"
        #expect(try await gate("targets", ["target_group": "app-green", "min_healthy": "12.5%"])
            == ("pass", "2 of 4 targets healthy (need 12.5%)\(notes); \(unhealthy), \(initial)"))
        #expect(try await gate("targets", ["target_group": "app-green", "min_healthy": 3])
            == ("inconclusive", "2 of 4 targets healthy (need 3)\(notes); waiting for 1 registering: \(initial), \(unhealthy)"))
        #expect(try await gate("targets", ["target_group": "app-green", "min_healthy": "80%"])
            == ("fail", "2 of 4 targets healthy (need 80%)\(notes): \(unhealthy), \(initial)"))
        #expect(try await gate("targets", ["target_group": "app-green"]) == ("fail", "2 of 4 targets healthy (need 100%)\(notes): \(unhealthy), \(initial)"))

        let noData = "1 of 1 alarms have INSUFFICIENT_DATA: new-errors (set to INSUFFICIENT_DATA by the scenario)"
        #expect(try await gate("alarms", ["names": ["new-errors"]]) == ("inconclusive", noData))
        #expect(try await gate("alarms", ["names": "new-errors", "insufficient_data": "fail"]) == ("fail", noData + #" (insufficient_data = "fail")"#))
        #expect(try await gate("alarms", ["prefix": "new-", "insufficient_data": "pass"])
            == ("pass", "no alarm in ALARM; " + noData + #" (insufficient_data = "pass")"#))

        // A percentile keeps the period worst for the comparison.
        let latency: StepValue = ["namespace": "App", "metric": "Latency", "stat": "p99"]
        func metric(_ comparison: String, _ threshold: Double) -> StepValue {
            guard case .table(var t) = latency else { return latency }
            t["comparison"] = .string(comparison)
            t["threshold"] = .double(threshold)
            return .table(t)
        }
        #expect(try await gate("metric", metric("<", 0.5)) == ("fail", "Latency p99 = 0.9 over 300 s, must be < 0.5"))
        #expect(try await gate("metric", metric(">", 0.1)) == ("pass", "Latency p99 = 0.2 over 300 s (must be > 0.1)"))

        #expect(try await gate("http", ["url": "http://x/", "samples": 2, "min_success": 0])
            == ("pass", "0 of 2 GET http://x/ returned 200 (need 0); p99 latency 10 ms"))
        #expect(try await gate("http", ["url": "http://x/", "samples": 2, "expect_status": [200, 503], "min_success": "50%", "max_latency_ms": 5])
            == ("fail", "2 of 2 GET http://x/ returned 200 or 503 (need 50%); p99 latency 10 ms, must be <= 5 ms"))

        // Any fail fails, and only the failing parts give the reason.
        let all = try await CloudSim.call(cloud, "health.all", ["targets": ["target_group": "app-green"], "alarms": ["names": "new-errors"]],
                                          clock: clock)
        #expect(all["status"] == "fail" && all["reason"] == .string("targets: 2 of 4 targets healthy (need 100%)\(notes): \(unhealthy), \(initial)"))
        #expect(all["value"]["alarms"]["status"] == "inconclusive" && all["value"]["targets"]["value"]["draining"] == 1)
    }

    // MARK: ecs

    @Test func awaitTaskWaitsInVirtualTimeForTheChangeThatStartsIt() async throws {
        let cloud = try SimulatedCloud(scenario: [
            "services": [["cluster": "prod", "name": "app-green", "running": 0, "pending": 2, "desired": 2, "task_definition": "app:2"]],
            "changes": [["at": 90, "services": [["cluster": "prod", "name": "app-green", "running": 2, "pending": 0]]]],
        ])
        let clock = CloudTestClock(cloud: cloud)
        let task = try await CloudSim.call(cloud, "ecs.await_task", ["cluster": "prod", "service": "app-green", "task_definition": "app:2"],
                                      clock: clock)
        #expect(clock.elapsed == 90, "looked every 5 s until the change at 90 s")
        #expect(task["last_status"] == "RUNNING" && task["desired_status"] == "RUNNING" && task["group"] == "service:app-green")
        #expect(task["task_definition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/app:2")
        #expect(task["containers"] == [["name": "app", "last_status": "RUNNING"]])
        #expect(task["task_arn"].stringValue?.hasPrefix("arn:aws:ecs:us-east-1:123456789012:task/prod/") == true)

        let stable = try await CloudSim.call(cloud, "ecs.await_stable", ["cluster": "prod", "service": "app-green"], clock: clock)
        #expect(stable["running"] == 2)
        guard case .array(let deployments) = stable["deployments"] else { Issue.record("\(stable)"); return }
        #expect(deployments[0]["rollout_state"] == "COMPLETED" && deployments[0]["status"] == "PRIMARY")
    }

    @Test func awaitTaskTimesOutWithWhatItSaw() async throws {
        let cloud = try SimulatedCloud(scenario: [
            "services": [["cluster": "prod", "name": "web", "running": 0, "pending": 1, "desired": 1, "task_definition": "web:3"]],
        ])
        let clock = CloudTestClock(cloud: cloud)
        let timeout = await CloudSim.failure {
            _ = try await CloudSim.call(cloud, "ecs.await_task", ["cluster": "prod", "service": "web", "timeout": 30, "every": 10], clock: clock)
        }
        #expect(timeout?.name == "Timeout" && timeout?.retryable == false && clock.elapsed == 30)
        #expect(timeout?.message.hasPrefix("no task of service web in cluster prod reached RUNNING within 30 s; last seen: 1 task: ") == true)
        #expect(timeout?.message.hasSuffix(" PENDING/RUNNING (web:3)") == true, "\(String(describing: timeout))")

        let unstable = await CloudSim.failure {
            _ = try await CloudSim.call(cloud, "ecs.await_stable", ["cluster": "prod", "service": "web", "timeout": 20], clock: clock)
        }
        #expect(unstable?.message == "service web in cluster prod was not stable within 20 s; last seen: running 0 of 1, primary deployment (web:3) IN_PROGRESS, 1 deployment")

        try cloud.apply(["services": [["cluster": "prod", "name": "web", "rollout_state": "FAILED", "rollout_reason": "circuit breaker"]]])
        let failed = await CloudSim.failure { _ = try await CloudSim.call(cloud, "ecs.await_stable", ["cluster": "prod", "service": "web"], clock: clock) }
        #expect(failed?.name == "DeploymentFailed" && failed?.retryable == false && failed?.message.hasSuffix("of web:3 FAILED: circuit breaker") == true)

        let missing = await CloudSim.failure { _ = try await CloudSim.call(cloud, "ecs.describe_service", ["cluster": "prod", "service": "api"], clock: clock) }
        #expect(missing?.name == "ServiceNotFound" && missing?.retryable == false)
        let cluster = await CloudSim.failure { _ = try await CloudSim.call(cloud, "ecs.describe_service", ["cluster": "dev", "service": "web"], clock: clock) }
        #expect(cluster?.name == "ClusterNotFoundException")
        let event = await CloudSim.failure { _ = try await CloudSim.call(cloud, "ecs.await_event", ["pattern": [:], "source": "ecs:prod/web"], clock: clock) }
        #expect(event?.name == "NotSimulated" && event?.retryable == false)
    }

    @Test func aCrashLoopKeepsAwaitStableWaiting() async throws {
        let cloud = try SimulatedCloud(scenario: [
            "services": [["cluster": "prod", "name": "web", "running": 2, "task_definition": "web:3", "stopped": 1]],
            "changes": [["at": 60, "services": [["cluster": "prod", "name": "web", "task_definition": "web:4"]]]],
        ])
        let clock = CloudTestClock(cloud: cloud)
        let stable = try await CloudSim.call(cloud, "ecs.await_stable", ["cluster": "prod", "service": "web", "every": 15], clock: clock)
        #expect(clock.elapsed == 60 && stable["task_definition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4")
    }

    // MARK: notify and the record of calls

    @Test func notificationsAndCallsAreRecordedWithTheirTime() async throws {
        let cloud = try SimulatedCloud(scenario: [:])
        let clock = CloudTestClock()
        try await clock.sleep(seconds: 30, stoppingAt: nil)
        let sent = try await CloudSim.call(cloud, "notify.send", ["text": "canary at 50 %", "event": "progress"], clock: clock)
        #expect(sent == true)
        let snapshot = cloud.snapshot(startedAt: clock.start)
        #expect(snapshot["notifications"] == [["at": 30.0, "text": "canary at 50 %", "event": "progress"]])
        #expect(snapshot["calls"] == [["at": 30.0, "name": "notify.send", "args": ["text": "canary at 50 %", "event": "progress"]]])
        #expect(snapshot["weights"] == [:] && snapshot["services"] == [:])
    }

    @Test func everySimulatedFunctionIsThere() throws {
        let names = try SimulatedCloud(scenario: [:]).implementations().keys.sorted()
        #expect(names == [
            "ecs.await_event", "ecs.await_stable", "ecs.await_task", "ecs.describe_service", "failback.capture", "failback.restore",
            "health.alarm_states", "health.alarms", "health.all", "health.http", "health.http_get", "health.metric",
            "health.metric_data", "health.target_health", "health.targets", "notify.send", "route53.set_weights", "route53.weights",
        ])
    }
}
