import FlowAWS
import FlowTestSupport
import Foundation

/// One rollout test's world: the strict AWS fixture (moto behind it) seeded with the blue/green
/// setup, the demo apps, and a sandbox to run the real `flow` binary in, with the environment a
/// user would export to point flow at that account.
final class RolloutWorld {
    let fixture: FixtureServer
    let seed: FixtureSeed
    let sandbox: Sandbox
    let client: AWSClient

    static let canary = FlowBinary.packageRoot + "/workflows/canary.lua"

    /// The fixture is shared by the suite (serialized; one fixture name per suite, since suites
    /// run in parallel) and reset here.
    init(fixture name: String = "rollouts", region: String = "us-east-1", recordType: String = "alias") async throws {
        fixture = try await FixtureServer.shared(name, apps: true, pendingSeconds: 0.2)
        seed = try await fixture.seed(region: region, recordType: recordType)
        sandbox = try await Sandbox()
        client = fixture.client(region: region)
    }

    /// Runs `body` in a fresh world and always tears it down.
    static func with(fixture name: String = "rollouts", region: String = "us-east-1", recordType: String = "alias",
                     _ body: (RolloutWorld) async throws -> Void) async throws {
        let w = try await RolloutWorld(fixture: name, region: region, recordType: recordType)
        do {
            try await body(w)
        } catch {
            await w.close()
            throw error
        }
        await w.close()
    }

    func close() async {
        sandbox.cleanup()
        try? await client.shutdown()
    }

    /// What `flow` sees: the fixture as every service's endpoint, dummy keys, no IMDS or files.
    var env: [String: String] {
        [
            "AWS_ENDPOINT_URL": fixture.endpoint,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLEFLOWTEST",
            "AWS_SECRET_ACCESS_KEY": Self.secret,
            "AWS_SESSION_TOKEN": Self.sessionToken,
            "AWS_REGION": seed.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/nonexistent/flow-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/flow-test-credentials",
        ]
    }

    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFLOWTESTKEY"
    static let sessionToken = "FwoGZXIvYXdzEFLOWTESTSESSIONTOKEN0123456789"

    /// The canary's parameters for this world, short waits, plus `extra` (JSON values).
    func params(wait: Double = 0.6, poll: Double = 0.2, _ extra: [String: Any] = [:]) throws -> String {
        var p: [String: Any] = [
            "zone": seed.zoneName, "record": seed.record, "cluster": seed.cluster, "service": seed.green.service,
            "target_group": seed.green.tgName, "wait": wait, "poll": poll, "task_timeout": 10.0,
        ]
        for (k, v) in extra { p[k] = v }
        let data = try JSONSerialization.data(withJSONObject: p, options: [.sortedKeys])
        let name = "params-\(UUID().uuidString.prefix(6)).json"
        try sandbox.write(name, String(decoding: data, as: UTF8.self))
        return sandbox.path(name)
    }

    /// Starts `flow run workflows/canary.lua` (or another workflow) with JSON events on stderr.
    func startCanary(id: String, params: String, workflow: String = RolloutWorld.canary, extraArgs: [String] = [],
                     env extraEnv: [String: String] = [:]) throws -> FlowProcess {
        try sandbox.start(["run", workflow, "--id", id, "--params", params, "--json-events"] + extraArgs,
                          env: env.merging(extraEnv) { $1 })
    }

    static func workflow(_ name: String) -> String { FlowBinary.packageRoot + "/workflows/" + name }

    /// The record's weights as Route53 has them now, by set identifier.
    func weights() async throws -> [String: Int] {
        let sets = try await Route53(client: client).listResourceRecordSets(zoneID: seed.zoneID)
        var out: [String: Int] = [:]
        for s in sets where s.name == seed.record { if let id = s.setIdentifier { out[id] = s.weight } }
        return out
    }

    /// Every ChangeResourceRecordSets the fixture accepted, as green's weight in each.
    func greenWeightsChanged() async throws -> [Int] {
        try await fixture.requests(service: "route53", operation: "ChangeResourceRecordSets")
            .filter { $0.status == 200 }
            .compactMap { r in r.changes?.first { $0.setIdentifier == "green" }?.weight }
    }

    /// Polls (bounded) until green's weight has been set to `percent`.
    func waitForGreen(_ percent: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await greenWeightsChanged().contains(percent) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("green never reached \(percent)%: changes \(try await greenWeightsChanged())")
    }

    /// A Lua gate that is always inconclusive, for the canary's `gates` parameter: after each
    /// watch the canary then waits for `flow signal ID promote`. Some tests need to act between
    /// two watches. This gives them a point to hold the rollout at for as long as they need
    /// (a watch's timer alone gives only its length to act in, which a loaded machine can miss).
    /// Returns the `gates` parameter and the arguments that find the gate.
    func holdAfterEachWatch() throws -> (gates: [[String: Any]], args: [String]) {
        try FileManager.default.createDirectory(atPath: sandbox.path("hold-gates"), withIntermediateDirectories: true)
        try sandbox.write("hold-gates/hold.lua", """
            return function(ctx, args)
              return { status = "inconclusive", reason = "held by the test until it sends promote" }
            end
            """)
        return ([["name": "hold"]], ["--plugins", sandbox.path("hold-gates")])
    }

    /// Polls (bounded) until execution `id` waits for `promote` (at the gate of holdAfterEachWatch).
    func waitForHold(_ id: String) async throws {
        try await sandbox.waitForStatus(id, "waiting", kind: "signal", step: "promote")
    }

    func setAlarm(_ name: String, state: String) async throws {
        var p = QueryParams()
        p.set("AlarmName", name)
        p.set("StateValue", state)
        p.set("StateReason", "set by the test")
        _ = try await client.query(.cloudwatch, "SetAlarmState", p)
    }

    /// The JSON events flow printed on stderr (`--json-events`).
    static func events(_ stderr: String) -> [[String: Any]] {
        stderr.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }
}
