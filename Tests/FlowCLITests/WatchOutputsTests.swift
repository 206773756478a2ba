import FlowTestSupport
import Foundation
import Testing

/// `flow watch` hands its executions' events to `--events` and `--notify` as `flow run` does,
/// besides its own per-execution log lines.
@Suite("flow watch: --events and --notify")
struct WatchOutputsTests {
    @Test("the executions a watcher starts write their events to --events and post to --notify")
    func watcherOutputs() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let hook = try LocalHTTPServer { _ in LocalHTTPServer.Response(status: 200, body: "ok") }
        defer { hook.stop() }
        let stream = ECSEventStream(seed: 3, deliveries: 60)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        let r = try await w.sandbox.flow(w.watch(source: "file:events.jsonl", policy: "queue",
                                                 extra: ["--events", "run-events.jsonl", "--notify", hook.baseURL + "/hook"]),
                                         timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        let ids = Set(w.sandbox.executionIDs())
        #expect(ids.count == 2)
        let lines = w.sandbox.read("run-events.jsonl").split(separator: "\n").map(String.init)
        let events = try lines.map { try Sandbox.object($0) }
        // Both executions, each from started to finished, every line naming its execution.
        #expect(Set(events.compactMap { $0["id"] as? String }) == ids, "\(lines)")
        for id in ids {
            let mine = events.filter { $0["id"] as? String == id }.map { $0["event"] as? String ?? "" }
            #expect(mine.first == "started" && mine.last == "finished", "\(id): \(mine)")
        }
        let posted = hook.requests.compactMap { try? Sandbox.object($0.body) }
        #expect(Set(posted.filter { $0["event"] as? String == "succeeded" }.compactMap { $0["execution_id"] as? String }) == ids,
                "\(posted)")
        // The watcher's own lines are still there.
        #expect(r.stderr.contains("flow: watch: start "), "\(r.stderr)")
    }
}
