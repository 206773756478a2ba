import FlowTestSupport
import Foundation
import Testing

/// The canary (the real `flow` binary running workflows/canary.lua) against AWS that misbehaves:
/// 5xx answers, dropped connections and slow answers from the strict fixture's own fault
/// injection; bodies cut short, connections reset mid-response and whole answers with cut XML
/// from a FaultProxy between flow and the fixture. Steps retry as configured; when retries run
/// out, the rollout fails back; in every case the journal reads back and the weights end where
/// they should. CanaryTests covers throttling (400 Throttling) and a throttled health API.
/// One fixture for the suite, so its tests run one at a time.
@Suite(.serialized) struct AWSFaultTests {
    static let fixture = "rollouts-faults"

    /// A proxy in front of the world's fixture taking `script` for requests holding `only`, and
    /// the environment that points flow at it.
    func proxy(_ w: RolloutWorld, _ script: [FaultProxy.Fault], only: String) throws -> (FaultProxy, [String: String]) {
        let port = try #require(Int(w.fixture.endpoint.split(separator: ":").last ?? ""))
        let proxy = try FaultProxy(upstreamPort: port, script: script, only: only)
        return (proxy, ["AWS_ENDPOINT_URL": proxy.endpoint])
    }

    /// The journal reads back (`flow history --json`), ends with one `finished` record, and
    /// `flow status` agrees with the exit code.
    func checkJournal(_ w: RolloutWorld, _ id: String, status: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let history = try await w.sandbox.flow(["history", id, "--json"])
        #expect(history.code == 0, "\(history)", sourceLocation: sourceLocation)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]],
                                   sourceLocation: sourceLocation)
        #expect(entries.filter { $0["kind"] as? String == "finished" }.count == 1, sourceLocation: sourceLocation)
        #expect(entries.last?["kind"] as? String == "finished", sourceLocation: sourceLocation)
        #expect(try await w.sandbox.statusName(id) == status, sourceLocation: sourceLocation)
    }

    /// Journaled attempts of the route53.set_weights step that set green to `percent`.
    func attempts(_ w: RolloutWorld, _ id: String, green percent: Int) async throws -> [[String: Any]] {
        let history = try await w.sandbox.flow(["history", id, "--json"])
        let entries = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]) ?? []
        guard let intent = entries.first(where: {
            $0["name"] as? String == "route53.set_weights"
                && (($0["args"] as? [String: Any])?["weights"] as? [String: Any])?["green"] as? Int == percent
        }), let seq = intent["seq"] as? Int else { return [] }
        return entries.filter { $0["seq"] as? Int == seq && ["failed", "completed"].contains($0["kind"] as? String ?? "") }
    }

    @Test func serverErrorsOnShiftsAndINSYNCPollsAreRetried() async throws {
        try await RolloutWorld.with(fixture: Self.fixture) { w in
            try await w.fixture.injectFault(service: "route53", operation: "ChangeResourceRecordSets", count: 2, status: 503,
                                            code: "ServiceUnavailable", message: "try again")
            try await w.fixture.injectFault(service: "route53", operation: "GetChange", count: 2, status: 500,
                                            code: "InternalFailure", message: "oops")
            let r = await (try w.startCanary(id: "5xx", params: try w.params())).wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            #expect(try await w.greenWeightsChanged() == [10, 50, 100])
            let changes = try await w.fixture.requests(service: "route53", operation: "ChangeResourceRecordSets")
            #expect(changes.filter { $0.status == 503 }.count == 2)
            let polls = try await w.fixture.requests(service: "route53", operation: "GetChange")
            #expect(polls.filter { $0.status == 500 }.count == 2)
            try await checkJournal(w, "5xx", status: "succeeded")
        }
    }

    @Test func droppedConnectionsAndSlowAnswersAreRetried() async throws {
        try await RolloutWorld.with(fixture: Self.fixture) { w in
            try await w.fixture.injectFault(service: "route53", operation: "ChangeResourceRecordSets", count: 2, drop: true)
            try await w.fixture.injectFault(service: "elbv2", operation: "DescribeTargetHealth", count: 2, delayMs: 700)
            let r = await (try w.startCanary(id: "drops", params: try w.params())).wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            #expect(try await w.greenWeightsChanged() == [10, 50, 100])
            try await checkJournal(w, "drops", status: "succeeded")
        }
    }

    @Test func aBodyCutShortIsRetriedAndTheShiftIsNotDoubled() async throws {
        try await RolloutWorld.with(fixture: Self.fixture) { w in
            // The fixture makes the 10 % change, but flow reads only 20 bytes of the answer.
            let (proxy, env) = try proxy(w, [.truncate(keepBodyBytes: 20)], only: "<Weight>10</Weight>")
            defer { proxy.stop() }
            let r = await (try w.startCanary(id: "cut", params: try w.params(), env: env)).wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(proxy.faulted == 1)
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            // The client sent the same UPSERT again: the weights were 90/10 either way.
            #expect(try await w.greenWeightsChanged() == [10, 10, 50, 100])
            // The AWS client retried inside one step attempt: the journal has one outcome for it.
            #expect(try await attempts(w, "cut", green: 10).count == 1)
            try await checkJournal(w, "cut", status: "succeeded")
        }
    }

    @Test func aConnectionResetMidResponseIsRetried() async throws {
        try await RolloutWorld.with(fixture: Self.fixture) { w in
            // GetChange (GET /2013-04-01/change/ID) answered with 40 bytes, then RST, twice.
            let (proxy, env) = try proxy(w, [.reset(afterBytes: 40), .reset(afterBytes: 40)], only: "/2013-04-01/change/")
            defer { proxy.stop() }
            let r = await (try w.startCanary(id: "reset", params: try w.params(), env: env)).wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(proxy.faulted == 2)
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            #expect(try await w.greenWeightsChanged() == [10, 50, 100])
            try await checkJournal(w, "reset", status: "succeeded")
        }
    }

    @Test func retriesRunningOutOnAShiftFailBackWithNothingLost() async throws {
        try await RolloutWorld.with(fixture: Self.fixture) { w in
            // Every answer to the 50 % change is cut short (the fixture applies each one):
            // the client's attempts, then the step's, run out; fail-back restores 100/0.
            let (proxy, env) = try proxy(w, Array(repeating: .truncate(keepBodyBytes: 0), count: 1000), only: "<Weight>50</Weight>")
            defer { proxy.stop() }
            let r = await (try w.startCanary(id: "exhausted", params: try w.params(), env: env)).wait(timeout: .seconds(90))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            let failed = try await attempts(w, "exhausted", green: 50)
            // route53's policy: 5 attempts, each of them the AWS client's 5 attempts.
            #expect(failed.count == 5)
            #expect(failed.allSatisfy { $0["kind"] as? String == "failed" })
            #expect(proxy.faulted == 25)
            let changed = try await w.greenWeightsChanged()
            #expect(changed.first == 10 && changed.last == 0)
            try await checkJournal(w, "exhausted", status: "failed")
        }
    }

    @Test func aWholeAnswerWithCutXMLFailsBackWithNothingLost() async throws {
        try await RolloutWorld.with(fixture: Self.fixture) { w in
            // A 200 whose XML stops after 30 bytes, with a Content-Length that matches it.
            let (proxy, env) = try proxy(w, Array(repeating: .garble(keepBodyBytes: 30), count: 1000), only: "<Weight>50</Weight>")
            defer { proxy.stop() }
            let r = await (try w.startCanary(id: "garbled", params: try w.params(), env: env)).wait(timeout: .seconds(90))
            #expect(r.code == 1, "\(r)")
            #expect(try await w.weights() == ["blue": 100, "green": 0])
            #expect(proxy.faulted >= 1)
            try await checkJournal(w, "garbled", status: "failed")
            let failed = try await attempts(w, "garbled", green: 50)
            #expect(!failed.isEmpty && failed.allSatisfy { $0["kind"] as? String == "failed" })
        }
    }
}
