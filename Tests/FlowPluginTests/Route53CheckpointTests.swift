import FlowAWS
import FlowEngine
import FlowFailback
import FlowLua
import FlowPluginSupport
import FlowRoute53
import FlowTestSupport
import Foundation
import Synchronization
import Testing

/// `route53.set_weights` and `failback.restore` checkpoint the change they sent before waiting
/// for it (`StepContext.checkpoint`), and an attempt resumed in flight with that checkpoint waits
/// for the change instead of sending the batch again. Against moto (through a proxy that counts
/// the ChangeResourceRecordSets requests) and the strict fixture (changes PENDING, then INSYNC;
/// GetChange of an unknown id is NoSuchChange). Its own server names, so it runs beside the
/// other Route53 suites.
@Suite(.serialized) struct Route53CheckpointTests {
    static let name = "api.example.com."

    /// What the engine's checkpoint recorder would journal, kept in memory.
    final class Recorded: Sendable {
        private let values = Mutex<[StepValue]>([])
        var all: [StepValue] { values.withLock { $0 } }
        func record(_ value: StepValue) { values.withLock { $0.append(value) } }
    }

    static func context(recording: Recorded, resumedWith checkpoint: StepValue? = nil, inFlight: Bool = false) -> StepContext {
        var c = PluginTest.context()
        c.checkpointRecorder = { recording.record($0) }
        c.resumedInFlight = inFlight
        c.resumedCheckpoint = checkpoint
        return c
    }

    static func setArgs(_ zone: String, _ weights: [String: Int], record: String = name) -> LuaValue {
        .table(["zone": .string(zone), "record": .string(record), "weights": R53Test.weights(weights)])
    }

    /// Forwards everything to moto; each ChangeResourceRecordSets takes a (zero) delay, so
    /// `faulted` counts them.
    static func changeCounter(_ moto: MotoServer) throws -> FaultProxy {
        try FaultProxy(upstreamPort: moto.port, script: Array(repeating: .delay(.zero), count: 50),
                       only: "ChangeResourceRecordSetsRequest")
    }

    @Test func aResumedSetWeightsWithItsCheckpointSendsNoSecondChange() async throws {
        let moto = try await MotoServer.shared("plugins-route53-checkpoint")
        let zoneID = try await R53Test.zone(moto.client(), [
            R53Test.cname(Self.name, "blue", 100, "blue-alb.us-east-1.elb.amazonaws.com"),
            R53Test.cname(Self.name, "green", 0, "green-alb.us-east-1.elb.amazonaws.com"),
        ])
        let proxy = try Self.changeCounter(moto)
        defer { proxy.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: proxy.endpoint)) { aws in
            let set = try PluginTest.function(Route53Plugin(aws: aws), "set_weights")
            let args = Self.setArgs(zoneID, ["blue": 90, "green": 10])
            let recorded = Recorded()
            let first = try await set.call(args, context: Self.context(recording: recorded))
            #expect(proxy.faulted == 1, "one change")
            #expect(recorded.all.count == 1, "the change is checkpointed once it is accepted")
            let checkpoint = try #require(recorded.all.first)
            #expect(checkpoint["change_id"] == first["change_id"] && checkpoint["zone_id"] == .string(zoneID))
            #expect(checkpoint["record"] == .string(Self.name) && checkpoint["type"] == "CNAME")
            #expect(checkpoint["weights"] == ["blue": 90, "green": 10] && checkpoint["previous"] == ["blue": 100, "green": 0])
            #expect(checkpoint["changed"] == true)

            // The process died waiting for INSYNC; the attempt runs again with the checkpoint: it
            // reads, asks GetChange about the recorded change, reads back, and sends nothing.
            let before = proxy.requests
            let resumed = try await set.call(args, context: Self.context(recording: recorded, resumedWith: checkpoint, inFlight: true))
            #expect(proxy.faulted == 1, "no second ChangeResourceRecordSets")
            #expect(proxy.requests - before == 3, "list, GetChange, list")
            #expect(recorded.all.count == 1, "nothing new to record")
            // What the attempt that sent the batch would have returned.
            #expect(resumed["change_id"] == first["change_id"] && resumed["changed"] == true && resumed["status"] == "INSYNC")
            #expect(resumed["previous"] == ["blue": 100, "green": 0] && resumed["weights"] == ["blue": 90, "green": 10])

            // Killed before the checkpoint was durable: no checkpoint, so the batch goes again
            // (the one repeat allowed), and that change is checkpointed in its turn.
            _ = try await set.call(args, context: Self.context(recording: recorded, inFlight: true))
            #expect(proxy.faulted == 2 && recorded.all.count == 2)

            // A checkpoint of another step (other target weights) is not this step's: ignored.
            let other = try await set.call(Self.setArgs(zoneID, ["blue": 50, "green": 50]),
                                           context: Self.context(recording: recorded, resumedWith: checkpoint, inFlight: true))
            #expect(proxy.faulted == 3 && other["previous"] == ["blue": 90, "green": 10] && other["weights"] == ["blue": 50, "green": 50])
        }
    }

    @Test func aResumedRestoreWithItsCheckpointSendsNoSecondChange() async throws {
        let moto = try await MotoServer.shared("plugins-route53-checkpoint")
        let zoneID = try await R53Test.zone(moto.client(), R53Test.blueGreen("app.example.com.", region: "eu-west-1"))
        let proxy = try Self.changeCounter(moto)
        defer { proxy.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: proxy.endpoint, region: "eu-west-1")) { aws in
            let restore = try PluginTest.function(FailbackPlugin(aws: aws), "restore")
            _ = try await PluginTest.function(Route53Plugin(aws: aws), "set_weights").call(
                Self.setArgs(zoneID, ["blue": 50, "green": 50], record: "app.example.com"), context: PluginTest.context())
            let args = Self.setArgs(zoneID, ["blue": 100, "green": 0], record: "app.example.com")
            let recorded = Recorded()
            let first = try await restore.call(args, context: Self.context(recording: recorded))
            #expect(proxy.faulted == 2 && recorded.all.count == 1)
            let checkpoint = try #require(recorded.all.first)
            let resumed = try await restore.call(args, context: Self.context(recording: recorded, resumedWith: checkpoint, inFlight: true))
            #expect(proxy.faulted == 2, "the restore's batch was not sent again")
            #expect(resumed["change_id"] == first["change_id"] && resumed["changed"] == true)
            #expect(resumed["previous"] == ["blue": 50, "green": 50] && resumed["weights"] == ["blue": 100, "green": 0])
        }
    }

    // MARK: the strict fixture: PENDING, NoSuchChange

    @Test func aResumedAttemptWaitsForTheKilledAttemptsChangeToBeInSync() async throws {
        let fixture = try await FixtureServer.shared("plugins-route53-checkpoint")
        let zoneID = try await R53Test.zone(fixture.client(), R53Test.blueGreen(Self.name, region: "us-east-1"))
        let since = try await fixture.requests().last?.seq ?? 0
        try await fixture.setPendingSeconds(1.5)
        try await PluginTest.with(PluginTest.environment(endpoint: fixture.endpoint)) { aws in
            let set = try PluginTest.function(Route53Plugin(aws: aws), "set_weights")
            let args = Self.setArgs(zoneID, ["blue": 90, "green": 10])
            let recorded = Recorded()
            // The first attempt is stopped while it waits (as a killed process stops), once its
            // change is checkpointed.
            let first = Task { try await set.call(args, context: Self.context(recording: recorded)) }
            let deadline = ContinuousClock.now + .seconds(20)
            while recorded.all.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            first.cancel()
            _ = await first.result
            let checkpoint = try #require(recorded.all.first)

            let resumed = try await set.call(args, context: Self.context(recording: recorded, resumedWith: checkpoint, inFlight: true))
            let doneAt = Date().timeIntervalSince1970
            #expect(resumed["status"] == "INSYNC" && resumed["change_id"] == checkpoint["change_id"] && resumed["changed"] == true)
            // It waited for the recorded change: done no earlier than the fixture made it INSYNC.
            let data = try await fixture.control("GET", "/_fixture/changes")
            let changes = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["changes"] as? [[String: Any]] ?? []
            let change = try #require(changes.first { $0["id"] as? String == checkpoint["change_id"].stringValue })
            let insyncAt = try #require(change["insync_at"] as? Double)
            #expect(doneAt >= insyncAt, "done at \(doneAt), INSYNC at \(insyncAt)")
        }
        let sent = try await fixture.requests(service: "route53", operation: "ChangeResourceRecordSets").filter { $0.seq > since }
        #expect(sent.count == 1, "one batch for the two attempts")
    }

    @Test func aChangeRoute53NoLongerKnowsIsSentAgainOnce() async throws {
        let fixture = try await FixtureServer.shared("plugins-route53-checkpoint")
        let zoneID = try await R53Test.zone(fixture.client(), R53Test.blueGreen(Self.name, region: "us-east-1"))
        try await fixture.setPendingSeconds(0.2)
        try await PluginTest.with(PluginTest.environment(endpoint: fixture.endpoint)) { aws in
            let set = try PluginTest.function(Route53Plugin(aws: aws), "set_weights")
            let args = Self.setArgs(zoneID, ["blue": 90, "green": 10])
            let recorded = Recorded()
            let first = try await set.call(args, context: Self.context(recording: recorded))
            let since = try await fixture.requests().last?.seq ?? 0
            guard case .table(var forgotten) = try #require(recorded.all.first) else { Issue.record("not a table"); return }
            forgotten["change_id"] = "CFORGOTTEN0000000000"
            let resumed = try await set.call(args, context: Self.context(recording: recorded, resumedWith: .table(forgotten), inFlight: true))
            let asked = try await fixture.requests(service: "route53").filter { $0.seq > since }
            let calls = asked.map(\.operation).filter { $0 != "ListResourceRecordSets" }
            #expect(Array(calls.prefix(2)) == ["GetChange", "ChangeResourceRecordSets"], "\(calls)")
            #expect(asked.first { $0.operation == "GetChange" }?.error == "NoSuchChange")
            #expect(asked.filter { $0.operation == "ChangeResourceRecordSets" }.count == 1, "sent again, once")
            #expect(recorded.all.count == 2 && recorded.all.last?["change_id"] == resumed["change_id"], "the new change is checkpointed")
            #expect(resumed["change_id"] != first["change_id"] && resumed["status"] == "INSYNC")
            #expect(resumed["changed"] == true && resumed["previous"] == ["blue": 100, "green": 0], "as the killed attempt saw it")
        }
    }
}
