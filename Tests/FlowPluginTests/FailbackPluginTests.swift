import FlowAWS
import FlowEngine
import FlowFailback
import FlowLua
import FlowPluginSupport
import FlowRoute53
import FlowTestSupport
import Testing

/// `failback.capture` / `failback.restore` against moto, and `failback.arm`'s Lua run with
/// stand-ins for the natives and `flow.on_failure`.
@Suite(.serialized) struct FailbackPluginTests {
    static let record = "app.example.com."

    static func seed(_ moto: MotoServer) async throws -> String {
        try await R53Test.zone(moto.client(), R53Test.blueGreen(record, region: "eu-west-1"))
    }

    @Test func restoreAfterCaptureBringsTheOriginalWeightsBack() async throws {
        let moto = try await MotoServer.shared("plugins-failback")
        let zoneID = try await Self.seed(moto)
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint, region: nil)) { aws in
            let failback = FailbackPlugin(aws: aws), route53 = Route53Plugin(aws: aws)
            let here: LuaValue = .table(["zone": "example.com", "record": "app.example.com", "region": "eu-west-1"])
            let original = try await PluginTest.function(failback, "capture").call(here, context: PluginTest.context())
            #expect(original["weights"] == ["blue": 100, "green": 0])
            #expect(original["zone_id"] == .string(zoneID) && original["record"] == .string(Self.record) && original["type"] == "A")

            // The rollout moves traffic, then fails.
            _ = try await PluginTest.function(route53, "set_weights").call(
                .table(["zone": .string(zoneID), "record": .string(Self.record), "region": "eu-west-1",
                        "weights": R53Test.weights(["blue": 50, "green": 50])]), context: PluginTest.context())

            let restored = try await PluginTest.function(failback, "restore").call(
                .table(["zone": original["zone_id"], "record": original["record"], "type": original["type"],
                        "weights": original["weights"], "region": "eu-west-1"]), context: PluginTest.context())
            #expect(restored["weights"] == ["blue": 100, "green": 0] && restored["previous"] == ["blue": 50, "green": 50])
            #expect(restored["status"] == "INSYNC" && restored["changed"] == true)

            // Compensation replayed after a crash finds the weights in place and sends nothing.
            let again = try await PluginTest.function(failback, "restore").call(
                .table(["zone": original["zone_id"], "record": original["record"], "weights": original["weights"], "region": "eu-west-1"]),
                context: PluginTest.context())
            #expect(again["changed"] == false && again["change_id"] == .nil)
        }
        // Both sets still exist with their alias targets: fail-back never deletes.
        let sets = try await withClient(moto.client()) { try await Route53(client: $0).r53Sets(zoneID, Self.record) }
        #expect(sets["blue"]?.aliasTarget?.dnsName.hasPrefix("blue-alb") == true && sets["green"]?.weight == 0)
    }

    @Test func restoreValidatesLikeSetWeightsAndIsPatient() async throws {
        let aws = PluginTest.environment(endpoint: "http://127.0.0.1:9")
        defer { Task { await aws.shutdown() } }
        let plugin = FailbackPlugin(aws: aws)
        #expect(plugin.name == "failback" && plugin.functions.map(\.name) == ["capture", "restore"])
        let capture = try PluginTest.function(plugin, "capture"), restore = try PluginTest.function(plugin, "restore")
        #expect(capture.readOnly && capture.idempotent && restore.idempotent && !restore.readOnly)
        #expect(restore.retry.maxAttempts >= 10 && restore.retry.maxInterval == 30)
        #expect(restore.identity == ["zone", "record", "weights", "type"])

        let error = await PluginTest.argumentError {
            _ = try await restore.call(.table(["zone": "Z1", "record": "a.example.com", "weights": R53Test.weights(["blue": 300])]),
                                       context: PluginTest.context())
        }
        #expect(error?.path == ["weights", "blue"])
        // restore always waits: it takes no `wait`.
        #expect(throws: StepArgumentError.self) {
            try restore.validate(.table(["zone": "Z1", "record": "a.example.com", "weights": R53Test.weights(["blue": 1]), "wait": false]))
        }
    }

    @Test func restoreReportsAStuckChangeAsRetryable() async throws {
        let fake = try R53FakeServer(weights: ["blue": 50, "green": 50], pendingPolls: 1)
        defer { fake.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: fake.endpoint)) { aws in
            let r = try await PluginTest.function(FailbackPlugin(aws: aws), "restore").call(
                .table(["zone": .string(fake.zoneID), "record": .string(fake.record), "weights": R53Test.weights(["blue": 100, "green": 0])]),
                context: PluginTest.context())
            #expect(r["status"] == "INSYNC" && fake.polls == 2 && r["weights"] == ["blue": 100, "green": 0])
        }
    }

    /// `arm`'s Lua, run as the engine will run it (`chunk(module, flow)`), with stand-ins that record calls.
    @Test func armCapturesAndRegistersARestoreOfACopy() throws {
        let aws = PluginTest.environment(endpoint: "http://127.0.0.1:9")
        defer { Task { await aws.shutdown() } }
        let source = try #require(FailbackPlugin(aws: aws).luaSource)
        let lua = try LuaState()
        let harness = try lua.load(#"""
            local source = ...
            local chunk = assert(load(source, "=failback"))
            local calls, handlers = {}, {}
            local module = {
              capture = function(args)
                calls[#calls + 1] = { fn = "capture", zone = args.zone, record = args.record, region = args.region }
                return { zone_id = "ZRESOLVED", record = "app.example.com.", type = "A",
                         weights = { blue = 100, green = 0 }, sets = {} }
              end,
              restore = function(args)
                calls[#calls + 1] = { fn = "restore", zone = args.zone, record = args.record, type = args.type,
                                      region = args.region, weights = args.weights }
              end,
            }
            local flow = { on_failure = function(fn) handlers[#handlers + 1] = fn end }
            local failback = chunk(module, flow)
            local original = failback.arm{ zone = "example.com", record = "app.example.com", region = "eu-west-1" }
            original.weights.green = 42   -- the script scribbling on the result must not change the restore
            local handlerCount = #handlers
            for i = #handlers, 1, -1 do handlers[i]() end
            local ok, err = pcall(failback.arm, "example.com")
            return { calls = calls, handlers = handlerCount, captured = original.zone_id, bad = tostring(err), ok = ok }
            """#, chunkName: "=harness")
        let out = try lua.call(harness, [.value(.string(source))]).first ?? .nil
        #expect(out["handlers"] == 1 && out["captured"] == "ZRESOLVED")
        #expect(out["calls"] == [
            ["fn": "capture", "zone": "example.com", "record": "app.example.com", "region": "eu-west-1"],
            ["fn": "restore", "zone": "ZRESOLVED", "record": "app.example.com.", "type": "A", "region": "eu-west-1",
             "weights": ["blue": 100, "green": 0]],
        ])
        #expect(out["ok"] == false && out["bad"].stringValue?.contains("table expected, got string") == true)
    }
}
