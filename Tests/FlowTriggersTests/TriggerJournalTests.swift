import FlowEvents
import FlowWAL
import Foundation
import Testing
@testable import FlowTriggers

@Suite("trigger journal")
struct TriggerJournalTests {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "flow-trigger-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Decides and records events as the watcher does; returns the decisions.
    func feed(_ journal: TriggerJournal, _ events: [JSONValue], policy: TriggerPolicy = .queue) throws -> [Decision] {
        try events.map { e in
            let input = TriggerState.Input(event: e, matched: true, keyExpression: .default)
            let d = journal.state.decide(input, trigger: "t", policy: policy)
            try journal.record(.decided(Decided(at: 1, facts: input.facts, decision: d, origin: "test",
                                                body: d.startsExecution ? e.description : nil)))
            return d
        }
    }

    @Test("reopened, the journal folds to the same state: keys, versions, phases, event bodies")
    func foldAfterReopen() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = try TriggerJournal.open(directory: dir + "/journal")
        try j.record(.watching(Watching(at: 0, pid: 1, host: "h", workflow: "w.lua", source: "-", pattern: "{}",
                                        key: KeyExpression.defaultText, policy: .queue)))
        let d = try feed(j, [ECSEvents.task("a", version: 2, revision: 7), ECSEvents.task("b", version: 2, revision: 8),
                             ECSEvents.task("a", version: 2, revision: 7), ECSEvents.task("c", version: 1, revision: 6)])
        #expect(d.map(\.kind) == [.start, .queued, .duplicate, .stale])
        try j.record(.ended(Ended(at: 2, execution: d[0].execution!, status: .succeeded)))
        try j.close()

        let again = try TriggerJournal.open(directory: dir + "/journal")
        #expect(again.repair == nil)
        let s = again.state
        #expect(s.keys == j.state.keys)
        #expect(s.versions == j.state.versions)
        #expect(s.executions == j.state.executions)
        #expect(s.counts == [.start: 1, .queued: 1, .duplicate: 1, .stale: 1])
        #expect(s.lastWatching?.policy == .queue)
        #expect(s.promotable.map(\.id) == [d[1].execution!], "8 waits for a watcher to start it")
        let body = try JSONValue.parse(try #require(s.executions[d[1].execution!]?.body))
        #expect(EventFacts(event: body).revision == 8)
        // Decisions go on from the reopened state.
        #expect(try feed(again, [ECSEvents.task("b", version: 2, revision: 8)]).map(\.kind) == [.duplicate])
    }

    @Test("a torn last record is cut (kept in .broken) and the decisions before it stand")
    func tornTail() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = try TriggerJournal.open(directory: dir + "/journal")
        let d = try feed(j, [ECSEvents.task("a", version: 2, revision: 7), ECSEvents.task("b", version: 2, revision: 8)])
        try j.close()
        // A crash in the middle of the last append: half of its bytes reached the disk.
        let segment = dir + "/journal/00000001.wal"
        let bytes = try #require(FileManager.default.contents(atPath: segment))
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        try handle.truncate(atOffset: UInt64(bytes.count - 20))
        try handle.close()

        let reopened = try TriggerJournal.open(directory: dir + "/journal")
        let repair = try #require(reopened.repair)
        #expect(FileManager.default.fileExists(atPath: repair.brokenCopy))
        #expect(reopened.state.executions.keys.sorted() == [d[0].execution!], "the torn decision is gone")
        // The event whose decision was torn was never acknowledged: decided again, it queues again.
        #expect(try feed(reopened, [ECSEvents.task("b", version: 2, revision: 8)]).map(\.kind) == [.queued])
    }

    @Test("damage in the middle is reported with the file and offset, never skipped")
    func corruptMiddle() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = try TriggerJournal.open(directory: dir + "/journal")
        _ = try feed(j, (0..<5).map { ECSEvents.task("t\($0)", version: 1, revision: 7 + $0) })
        try j.close()
        let segment = dir + "/journal/00000001.wal"
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        bytes[40] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: segment))
        #expect {
            try TriggerJournal.open(directory: dir + "/journal")
        } throws: { error in
            "\(error)".contains("00000001.wal") && "\(error)".contains("offset")
        }
    }

    @Test("a record the state refuses is never written")
    func refusedRecord() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = try TriggerJournal.open(directory: dir + "/journal")
        #expect(throws: TriggerJournalError.self) {
            try j.record(.ended(Ended(at: 0, execution: "nobody", status: .succeeded)))
        }
        try j.close()
        #expect(try TriggerJournal.open(directory: dir + "/journal").state.counts.isEmpty)
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/journal/00000001.wal")[.size] as? Int
        #expect(size == 16, "only the segment header")
    }
}
