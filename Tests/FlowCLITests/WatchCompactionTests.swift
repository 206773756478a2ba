import FlowTestSupport
import FlowWAL
import Foundation
import Testing

/// A busy trigger's journal stays small: with a checkpoint every 100 records, 2,000 events still
/// start one execution per revision, the log says it compacted, the journal is one checkpoint
/// plus a tail, and the same events again start nothing.
@Suite("flow watch: journal checkpoints")
struct WatchCompactionTests {
    @Test("a watcher that checkpoints every 100 records decides 2,000 events as one that never does")
    func compactingWatcher() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let stream = ECSEventStream(seed: 19, deliveries: 2000)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        let env = ["FLOW_TRIGGER_COMPACT_AFTER": "100"]
        let r = try await w.sandbox.flow(w.watch(source: "file:events.jsonl", policy: "queue"), env: env, timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        try await w.expectOneExecutionPerRevision(stream)
        #expect(r.stderr.contains("journal compacted into one checkpoint"), "\(r.stderr.suffix(2000))")

        let root = w.sandbox.home + "/triggers"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: root).first)
        let records = try WALReader.read(directory: root + "/" + name + "/journal").records
        #expect(records.first?.type == 5, "the journal starts at its checkpoint")
        #expect(records.count <= 101, "\(records.count) records")

        // Reopened from the checkpoint, the trigger remembers every key and task: the same
        // events again are all duplicates or stale.
        let again = try await w.sandbox.flow(w.watch(source: "file:events.jsonl", policy: "queue"), env: env, timeout: .seconds(60))
        #expect(again.code == 0, "\(again)")
        #expect(again.stderr.contains("\(stream.matching.count) decisions journaled"), "\(again.stderr.prefix(1000))")
        #expect(!again.stderr.contains("flow: watch: start "), "nothing starts twice")
        #expect(!again.stderr.contains("flow: watch: queued "), "nothing is queued again")
        #expect(w.sandbox.executionIDs().count == 2)
    }
}
