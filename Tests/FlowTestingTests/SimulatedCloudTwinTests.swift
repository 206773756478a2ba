import FlowAWS
import FlowECS
import FlowEngine
import FlowFailback
import FlowHealth
import FlowLua
import FlowNotify
import FlowPluginSupport
import FlowRoute53
import FlowTestSupport
import FlowTesting
import Foundation
import Testing

/// The simulated cloud's twin: every simulated function next to the real plugin function,
/// the real one against the strict moto fixture seeded with the blue/green world, the simulated
/// one over the scenario describing that world. Both are called through the real function
/// (`replacingBody` for the simulation, so arguments are validated alike) and must answer with
/// the same keys and value types, and the same values wherever they do not depend on ids AWS
/// makes up (weights, statuses, counts, gate verdicts and reasons).
@Suite(.serialized) struct SimulatedCloudTwinTests {
    static let fixtureName = "SimulatedCloudTwinTests"

    /// The scenario that says what `FixtureServer.seed()` makes.
    static func scenario(_ seed: FixtureSeed) -> LuaValue {
        func service(_ side: FixtureSeed.Side) -> LuaValue {
            ["cluster": .string(seed.cluster), "name": .string(side.service), "running": .int(Int64(side.taskArns.count)),
             "desired": .int(Int64(side.taskArns.count)), "task_definition": .string(side.taskDefinition)]
        }
        func targets(_ side: FixtureSeed.Side) -> LuaValue { .array(side.targets.map { _ in "healthy" }) }
        return [
            "region": .string(seed.region),
            "records": [["zone": .string(seed.zoneName), "name": .string(seed.record),
                         "weights": .table([seed.blue.set: .int(Int64(seed.blue.weight)), seed.green.set: .int(Int64(seed.green.weight))])]],
            "target_groups": .table([seed.blue.tgName: targets(seed.blue), seed.green.tgName: targets(seed.green)]),
            "alarms": .table(Dictionary(uniqueKeysWithValues: seed.alarms.map { ($0, LuaValue.string("OK")) })),
            "services": [service(seed.blue), service(seed.green)],
        ]
    }

    /// The seeded fixture, an environment for it and the equivalent simulated cloud.
    struct World {
        let fixture: FixtureServer
        let seed: FixtureSeed
        let aws: AWSStepEnvironment
        let cloud: SimulatedCloud
        let clock: CloudTestClock

        @discardableResult
        func twin(_ plugin: any StepPlugin, _ name: String, _ args: LuaValue,
                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> (real: LuaValue, sim: LuaValue) {
            try await CloudTwin.call(plugin, name, args, cloud, clock, sourceLocation: sourceLocation)
        }

        func twinFailure(_ plugin: any StepPlugin, _ name: String, _ args: LuaValue,
                         sourceLocation: SourceLocation = #_sourceLocation) async throws {
            try await CloudTwin.failure(plugin, name, args, cloud, clock, sourceLocation: sourceLocation)
        }
    }

    static func world(_ body: (World) async throws -> Void) async throws {
        let fixture = try await FixtureServer.shared(fixtureName)
        let seed = try await fixture.seed()
        let cloud = try SimulatedCloud(scenario: scenario(seed))
        let aws = CloudTwin.environment(endpoint: fixture.endpoint, region: seed.region)
        do {
            try await body(World(fixture: fixture, seed: seed, aws: aws, cloud: cloud, clock: CloudTestClock(cloud: cloud)))
            await aws.shutdown()
        } catch {
            await aws.shutdown()
            throw error
        }
    }

    // MARK: route53 and failback

    @Test func route53AndFailback() async throws {
        try await Self.world { w in
            let route53 = Route53Plugin(aws: w.aws), failback = FailbackPlugin(aws: w.aws)
            let here: LuaValue = ["zone": .string(w.seed.zoneName), "record": .string(w.seed.record)]

            let read = try await w.twin(route53, "weights", here)
            for key in ["record", "type", "weights"] { #expect(read.real[key] == read.sim[key], "\(key)") }
            #expect(read.real["weights"] == ["blue": 100, "green": 0])
            let captured = try await w.twin(failback, "capture", here)
            #expect(captured.real["weights"] == captured.sim["weights"])

            var shift = here
            if case .table(var t) = shift { t["weights"] = ["blue": 90, "green": 10]; shift = .table(t) }
            let set = try await w.twin(route53, "set_weights", shift)
            for key in ["record", "type", "weights", "previous", "changed", "status"] { #expect(set.real[key] == set.sim[key], "\(key)") }
            #expect(set.real["weights"] == ["blue": 90, "green": 10] && set.real["changed"] == true)

            // Already applied: no change, no change_id, in both.
            let again = try await w.twin(route53, "set_weights", shift)
            #expect(again.real["changed"] == false && again.sim["changed"] == false && again.sim["change_id"] == .nil)

            // failback.arm's restore names the zone by the id capture returned.
            let restoreReal = try await CloudTwin.functions(failback, "restore", w.cloud).real.call(
                ["zone": captured.real["zone_id"], "record": captured.real["record"], "type": captured.real["type"],
                 "weights": captured.real["weights"]], context: CloudTwin.context())
            let restoreSim = try await CloudTwin.functions(failback, "restore", w.cloud).sim.call(
                ["zone": captured.sim["zone_id"], "record": captured.sim["record"], "type": captured.sim["type"],
                 "weights": captured.sim["weights"]], context: CloudSim.context(w.clock))
            #expect(CloudTwin.shape(restoreReal) == CloudTwin.shape(restoreSim))
            for key in ["weights", "previous", "changed", "status"] { #expect(restoreReal[key] == restoreSim[key], "\(key)") }
            #expect(restoreSim["weights"] == ["blue": 100, "green": 0])

            try await w.twinFailure(route53, "set_weights", ["zone": .string(w.seed.zoneName), "record": .string(w.seed.record),
                                                             "weights": ["blue": 50, "red": 50]])
            try await w.twinFailure(route53, "weights", ["zone": "nowhere.example", "record": .string(w.seed.record)])
            try await w.twinFailure(route53, "weights", ["zone": .string(w.seed.zoneName), "record": "nothing.example.com"])
        }
    }

    // MARK: ecs

    @Test func ecs() async throws {
        try await Self.world { w in
            let ecs = ECSPlugin(aws: w.aws)
            let green: LuaValue = ["cluster": .string(w.seed.cluster), "service": .string(w.seed.green.service)]

            let described = try await w.twin(ecs, "describe_service", green)
            for key in ["status", "desired", "running", "pending"] { #expect(described.real[key] == described.sim[key], "\(key)") }
            guard case .array(let realDeployments) = described.real["deployments"],
                  case .array(let simDeployments) = described.sim["deployments"] else { Issue.record("deployments"); return }
            for key in ["status", "rollout_state", "desired", "running", "pending", "failed"] {
                #expect(realDeployments.first?[key] == simDeployments.first?[key], "deployments[1].\(key)")
            }
            #expect(CloudTwin.suffix(described.real["task_definition"]) == CloudTwin.suffix(described.sim["task_definition"]))

            var awaitArgs = green
            if case .table(var t) = awaitArgs {
                t["task_definition"] = .string(w.seed.green.taskDefinition)
                t["timeout"] = 10
                t["every"] = 0.2
                awaitArgs = .table(t)
            }
            let task = try await w.twin(ecs, "await_task", awaitArgs)
            for key in ["last_status", "desired_status", "group", "containers"] { #expect(task.real[key] == task.sim[key], "\(key)") }

            let stable = try await w.twin(ecs, "await_stable", green)
            for key in ["status", "desired", "running"] { #expect(stable.real[key] == stable.sim[key], "\(key)") }

            try await w.twinFailure(ecs, "describe_service", ["cluster": .string(w.seed.cluster), "service": "nope"])
        }
    }

    // MARK: health

    @Test func healthGatesAndReads() async throws {
        try await Self.world { w in
            let health = HealthPlugin(aws: w.aws)
            let green: LuaValue = ["target_group": .string(w.seed.green.tgName)]
            let ok = try await w.twin(health, "targets", green)
            #expect(ok.real["status"] == "pass" && ok.real["status"] == ok.sim["status"] && ok.real["reason"] == ok.sim["reason"])
            for key in ["healthy", "unhealthy", "total"] { #expect(ok.real["value"][key] == ok.sim["value"][key], "value.\(key)") }

            // Green's targets fail their health checks, in both worlds.
            try await w.fixture.setTargetHealth(targetGroupArn: w.seed.green.tgArn, state: "unhealthy")
            try w.cloud.apply(["target_groups": .table([w.seed.green.tgName: "unhealthy"])])
            let byArn: LuaValue = ["target_group": .string(w.seed.green.tgArn)]
            let bad = try await w.twin(health, "targets", byArn)
            #expect(bad.real["status"] == "fail" && bad.sim["status"] == "fail")
            #expect(CloudTwin.masked(bad.real["reason"]) == CloudTwin.masked(bad.sim["reason"]), "\(bad.real["reason"]) / \(bad.sim["reason"])")
            let raw = try await w.twin(health, "target_health", green)
            #expect(raw.real["name"] == raw.sim["name"] && CloudTwin.states(raw.real) == CloudTwin.states(raw.sim))

            let alarm: LuaValue = ["names": .string(w.seed.alarms[0])]
            let quiet = try await w.twin(health, "alarms", alarm)
            #expect(quiet.real["status"] == "pass" && quiet.real["reason"] == quiet.sim["reason"])
            try await w.fixture.setAlarmState(name: w.seed.alarms[0], state: "ALARM", region: w.seed.region)
            try w.cloud.apply(["alarms": .table([w.seed.alarms[0]: "ALARM"])])
            let firing = try await w.twin(health, "alarms", alarm)
            #expect(firing.real["status"] == "fail" && firing.sim["status"] == "fail")
            let head = "1 of 1 alarms in ALARM: \(w.seed.alarms[0]) ("
            #expect(firing.real["reason"].stringValue?.hasPrefix(head) == true && firing.sim["reason"].stringValue?.hasPrefix(head) == true)
            let states = try await w.twin(health, "alarm_states", ["prefix": "green-"])
            #expect(CloudTwin.names(states.real["alarms"]) == CloudTwin.names(states.sim["alarms"]))

            let all = try await w.twin(health, "all", ["targets": ["target_group": .string(w.seed.blue.tgName)], "alarms": alarm])
            #expect(all.real["status"] == "fail" && all.real["status"] == all.sim["status"])
            for part in ["targets", "alarms"] { #expect(all.real["value"][part]["status"] == all.sim["value"][part]["status"], "\(part)") }
            #expect(all.real["value"]["targets"]["reason"] == all.sim["value"]["targets"]["reason"])

            try await w.twinFailure(health, "targets", ["target_group": "no-such-group"])
        }
    }

    @Test func metrics() async throws {
        try await Self.world { w in
            let dims = ["TargetGroup": "targetgroup/green/abc"]
            let now = Date()
            let client = w.fixture.client(region: w.seed.region)
            try await AWSSeed(client).metricData(namespace: "Flow", metric: "Errors", dimensions: [CloudWatch.Dimension(name: "TargetGroup", value: dims["TargetGroup"] ?? "")],
                                                 values: [(now - 150, 2), (now - 90, 3), (now - 30, 4)])
            try await client.shutdown()
            try w.cloud.apply(["metrics": [["namespace": "Flow", "metric": "Errors", "dimensions": ["TargetGroup": "targetgroup/green/abc"],
                                            "values": [2, 3, 4]]]])
            let health = HealthPlugin(aws: w.aws)
            let args: LuaValue = ["namespace": "Flow", "metric": "Errors", "dimensions": ["TargetGroup": "targetgroup/green/abc"],
                                  "threshold": 20, "comparison": "<"]
            let gate = try await w.twin(health, "metric", args)
            #expect(gate.real["status"] == "pass" && gate.real["reason"] == gate.sim["reason"] && gate.real["value"]["value"] == gate.sim["value"]["value"])
            let data = try await w.twin(health, "metric_data", ["namespace": "Flow", "metric": "Errors", "dimensions": ["TargetGroup": "targetgroup/green/abc"]])
            #expect(data.real["values"] == data.sim["values"])
            let nothing = try await w.twin(health, "metric", ["namespace": "Flow", "metric": "Quiet", "threshold": 1, "comparison": "<"])
            #expect(nothing.real["status"] == "inconclusive" && nothing.real["reason"] == nothing.sim["reason"])
        }
    }

    // MARK: http and notify (no AWS)

    @Test func httpProbes() async throws {
        let server = try LocalHTTPServer { request in
            request.path == "/down" ? LocalHTTPServer.Response(status: 503, body: "down") : .ok("ok")
        }
        defer { server.stop() }
        let cloud = try SimulatedCloud(scenario: ["http": .table([server.baseURL + "/health": ["status": 200, "body": "ok"],
                                                                 server.baseURL + "/down": ["status": 503, "body": "down"]])])
        let aws = CloudTwin.environment(endpoint: "http://127.0.0.1:9", region: "us-east-1")
        let clock = CloudTestClock(cloud: cloud)
        func twin(_ name: String, _ args: LuaValue) async throws -> (real: LuaValue, sim: LuaValue) {
            try await CloudTwin.call(HealthPlugin(aws: aws), name, args, cloud, clock)
        }
        do {
            let get = try await twin("http_get", ["url": .string(server.baseURL + "/health")])
            #expect(get.real["status"] == 200 && get.real["status"] == get.sim["status"] && get.real["body"] == get.sim["body"])
            let up = try await twin("http", ["url": .string(server.baseURL + "/health"), "samples": 3, "interval": 0])
            #expect(up.real["status"] == "pass" && up.sim["status"] == "pass" && up.real["value"]["statuses"] == up.sim["value"]["statuses"])
            let down = try await twin("http", ["url": .string(server.baseURL + "/down"), "samples": 2, "interval": 0])
            #expect(down.real["status"] == "fail" && down.real["reason"] == down.sim["reason"])
            // Nobody listens on port 9: refused, in both.
            let refused = try await twin("http", ["url": "http://127.0.0.1:9/", "samples": 1, "request_timeout": 0.5])
            #expect(refused.real["reason"] == refused.sim["reason"], "\(refused.real["reason"])")
            try await CloudTwin.failure(HealthPlugin(aws: aws), "http_get", ["url": "http://127.0.0.1:9/", "timeout": 0.5], cloud, clock)
        } catch {
            await aws.shutdown()
            throw error
        }
        await aws.shutdown()
    }

    @Test func notifySend() async throws {
        let server = try LocalHTTPServer { _ in .ok("") }
        defer { server.stop() }
        let notifier = WebhookNotifier(report: { _ in })
        let notify = NotifyPlugin(notifier: notifier, defaultURLs: [server.baseURL + "/hook"])
        let cloud = try SimulatedCloud(scenario: [:])
        let clock = CloudTestClock()
        let (real, sim) = try CloudTwin.functions(notify, "send", cloud)
        let args: LuaValue = ["text": "canary at 10 %", "event": "progress"]
        let r = try await real.call(args, context: CloudTwin.context())
        let s = try await sim.call(args, context: CloudSim.context(clock))
        await notifier.finish(within: .seconds(5))
        #expect(r == true && s == r)
        #expect(cloud.snapshot(startedAt: clock.start)["notifications"] == [["at": 0.0, "text": "canary at 10 %", "event": "progress"]])
    }
}

/// Helpers of the twin suite.
enum CloudTwin {
    static func context() -> StepContext { StepContext(executionID: "t", seq: 1, attempt: 1) }

    /// The real function `plugin.name` and its simulated twin, called with `args`; their results
    /// must have the same shape.
    @discardableResult
    static func call(_ plugin: any StepPlugin, _ name: String, _ args: LuaValue, _ cloud: SimulatedCloud, _ clock: CloudTestClock,
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> (real: LuaValue, sim: LuaValue) {
        let (real, sim) = try functions(plugin, name, cloud)
        let r = try await real.call(args, context: context())
        let s = try await sim.call(args, context: CloudSim.context(clock))
        #expect(shape(r) == shape(s), "\(plugin.name).\(name): real \(r)\nsimulated \(s)", sourceLocation: sourceLocation)
        return (r, s)
    }

    /// Both fail alike: the same name and retryable flag.
    static func failure(_ plugin: any StepPlugin, _ name: String, _ args: LuaValue, _ cloud: SimulatedCloud, _ clock: CloudTestClock,
                        sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (real, sim) = try functions(plugin, name, cloud)
        let r = await CloudSim.failure { _ = try await real.call(args, context: context()) }
        let s = await CloudSim.failure { _ = try await sim.call(args, context: CloudSim.context(clock)) }
        #expect(r != nil && r?.name == s?.name && r?.retryable == s?.retryable,
                "\(plugin.name).\(name): real \(String(describing: r))\nsimulated \(String(describing: s))", sourceLocation: sourceLocation)
    }

    /// An environment for `endpoint` only: static test keys, no shared config files, quick retries.
    static func environment(endpoint: String, region: String) -> AWSStepEnvironment {
        AWSStepEnvironment(environment: [
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/nonexistent/flow-test-config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/flow-test-credentials",
            "AWS_REGION": region,
        ], retryPolicy: FlowAWS.RetryPolicy(maxAttempts: 2, base: .milliseconds(10)))
    }

    /// The real function and the same function with the simulated body.
    static func functions(_ plugin: any StepPlugin, _ name: String, _ cloud: SimulatedCloud) throws -> (real: StepFunction, sim: StepFunction) {
        guard let real = plugin.functions.first(where: { $0.name == name }),
              let body = cloud.implementations()["\(plugin.name).\(name)"] else {
            throw StepFailure("Missing", "no \(plugin.name).\(name)")
        }
        return (real, real.replacingBody(body))
    }

    /// The value with every leaf replaced by its type: what "the same keys and value types" compares.
    static func shape(_ v: LuaValue) -> LuaValue {
        switch v {
        case .table(let t): .table(t.mapValues(shape))
        case .array(let items): .array(items.map(shape))
        default: .string(v.detailedTypeName)
        }
    }

    /// The last part of an ARN: `green:1`.
    static func suffix(_ v: LuaValue) -> String? { v.stringValue?.split(separator: "/").last.map(String.init) }

    /// A reason with its addresses taken out (the fixture's are its tasks' IPs).
    static func masked(_ v: LuaValue) -> String {
        (v.stringValue ?? "").replacing(#/\d+\.\d+\.\d+\.\d+/#, with: "IP")
    }

    static func states(_ raw: LuaValue) -> [LuaValue] {
        guard case .array(let targets) = raw["targets"] else { return [] }
        return targets.map { [$0["state"], $0["reason"], $0["port"]] }
    }

    static func names(_ alarms: LuaValue) -> [LuaValue] {
        guard case .array(let items) = alarms else { return [] }
        return items.map { $0["name"] }
    }
}
