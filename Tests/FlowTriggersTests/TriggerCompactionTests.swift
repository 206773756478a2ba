import FlowEvents
import FlowWAL
import Foundation
import Testing
@testable import FlowTriggers

/// The journal's checkpoints (real files, real fsync): a compacted journal decides every event
/// as the whole journal would, stays small whatever the trigger has seen, and a crash at any
/// point of a compaction leaves a journal that folds to the same state.
@Suite("trigger journal: checkpoints")
struct TriggerCompactionTests {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "flow-compact-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// 120 tasks over revisions 1...6 of two services, each task at versions 1...3, every
    /// delivery twice, shuffled; runs end as they go (queue policy), so executions start,
    /// wait, are replaced and end.
    func events(seed: UInt64) -> [JSONValue] {
        var rng = SplitMix(seed: seed)
        var out: [JSONValue] = []
        for t in 0..<120 {
            let revision = 1 + t / 20
            let service = t % 2 == 0 ? "canary-green" : "other"
            for v in 1...3 {
                let e = ECSEvents.task("t\(t)", version: v, revision: revision, service: service)
                out += [e, e]
            }
        }
        return out.shuffled(using: &rng)
    }

    /// Decides and records `events` as the watcher does, ending each started execution at once;
    /// the decisions in order.
    @discardableResult
    func feed(_ j: TriggerJournal, _ events: [JSONValue], at clock: Int64 = Self.now) throws -> [Decision.Kind] {
        var kinds: [Decision.Kind] = []
        for e in events {
            let input = TriggerState.Input(event: e, matched: true, keyExpression: .default)
            let d = j.state.decide(input, trigger: "t", policy: .queue)
            try j.record(.decided(Decided(at: clock, facts: input.facts, decision: d, origin: "test",
                                          body: d.startsExecution ? e.description : nil)))
            kinds.append(d.kind)
            for running in j.state.unfinished { try j.record(.ended(Ended(at: clock, execution: running.id, status: .succeeded))) }
            for waiting in j.state.promotable { try j.record(.promoted(Promoted(at: clock, execution: waiting.id))) }
        }
        return kinds
    }

    /// A checkpoint forgets tasks by the wall clock: the records must be of today.
    static let now = Int64(Date().timeIntervalSince1970 * 1000)

    func segments(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".wal") }.sorted()
    }

    /// What any state decides for events, without changing it: the same answers mean the same
    /// behaviour for every event that can still arrive.
    func answers(_ state: TriggerState, _ probes: [JSONValue]) -> [Decision] {
        probes.map { state.decide(TriggerState.Input(event: $0, matched: true, keyExpression: .default), trigger: "t", policy: .queue) }
    }

    var probes: [JSONValue] {
        var out: [JSONValue] = []
        for t in 0..<120 {
            let service = t % 2 == 0 ? "canary-green" : "other"
            out.append(ECSEvents.task("t\(t)", version: 2, revision: 1 + t / 20, service: service))
            out.append(ECSEvents.task("t\(t)", version: 9, revision: 1 + t / 20, service: service))
        }
        out.append(ECSEvents.task("new", version: 1, revision: 7))
        out.append(ECSEvents.task("old", version: 1, revision: 2))
        return out
    }

    func size(_ dir: String) throws -> Int {
        try segments(dir).reduce(0) { total, name in
            total + ((try FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? Int) ?? 0)
        }
    }

    @Test("a journal that checkpoints every 50 records decides exactly as one that never does, and stays small")
    func sameDecisionsAsTheWholeJournal() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try TriggerJournal.open(directory: dir + "/whole", sync: .none, compactAfter: .max)
        let small = try TriggerJournal.open(directory: dir + "/small", sync: .none, compactAfter: 50)
        let stream = events(seed: 3)
        let a = try feed(whole, stream)
        let b = try feed(small, stream)
        #expect(a == b, "decisions differ")
        #expect(a.filter { $0 == .start }.count >= 2 && a.contains(.stale) && a.contains(.duplicate))
        #expect(answers(small.state, probes) == answers(whole.state, probes), "answers differ")
        try whole.close()
        try small.close()

        // Reopened from disk: the same answers, from a checkpoint and at most 50 records.
        let reopened = try TriggerJournal.open(directory: dir + "/small", sync: .none, compactAfter: 50)
        #expect(reopened.recordsSinceCheckpoint <= 50)
        #expect(answers(reopened.state, probes) == answers(whole.state, probes), "answers differ")
        #expect(reopened.state.counts == whole.state.counts)
        #expect(reopened.state.keys == whole.state.keys)
        let records = try WALReader.read(directory: dir + "/small").records
        #expect(records.first?.type == 5, "the journal starts with its checkpoint")
        #expect(records.count <= 51)
        let wholeBytes = try size(dir + "/whole")
        let smallBytes = try size(dir + "/small")
        #expect(smallBytes * 3 < wholeBytes, "checkpointed \(smallBytes) bytes vs whole \(wholeBytes)")
    }

    @Test("tasks not seen for longer than the retention are forgotten; their keys are not")
    func retention() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let j = try TriggerJournal.open(directory: dir + "/j", sync: .none)
        try feed(j, [ECSEvents.task("a", version: 3, revision: 7)], at: 1_000)
        try feed(j, [ECSEvents.task("b", version: 1, revision: 7)], at: 5_000)
        #expect(Set(j.state.versions.keys).count == 2)
        try j.compact(now: 10_000, retention: 6_000)
        // a (last seen at 1,000) is forgotten, b (5,000) is kept.
        #expect(j.state.versions.keys.map { $0.hasSuffix("/a") } == [false])
        // A late, lower version of a: no longer "stale by version", but its key (revision 7)
        // was decided, so it is a duplicate; still nothing starts.
        let late = answers(j.state, [ECSEvents.task("a", version: 1, revision: 7)])
        #expect(late.map(\.kind) == [.duplicate])
        // Finished executions keep their key and phase, not their event.
        #expect(j.state.executions.values.allSatisfy { e in
            if case .ended = e.phase { return e.body.isEmpty } else { return true }
        })
    }

    /// A compaction interrupted at each of its steps, rebuilt on disk: the old segments all
    /// there after the checkpoint was synced, only the newest of them, or a checkpoint torn
    /// before its sync. Each opens to the same decisions.
    @Test("a crash at any step of a compaction leaves a journal that folds to the same state",
          arguments: ["all old segments left", "newest old segment left", "checkpoint torn"])
    func crashDuringCompaction(_ step: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/j"
        // Small segments: several before the checkpoint.
        let j = try TriggerJournal.open(directory: path, sync: .none, compactAfter: .max, segmentSize: 8192)
        try feed(j, events(seed: 9))
        let expected = answers(j.state, probes)
        try j.close()
        // The segments as they are before the compaction.
        let before = try segments(path)
        #expect(before.count > 3)
        let saved = try before.map { ($0, try Data(contentsOf: URL(fileURLWithPath: path + "/" + $0))) }

        let again = try TriggerJournal.open(directory: path, sync: .none, compactAfter: .max)
        try again.compact()
        try again.close()
        let after = try segments(path)
        #expect(after.count == 1 && !before.contains(after[0]))
        switch step {
        case "all old segments left":
            for (name, data) in saved { try data.write(to: URL(fileURLWithPath: path + "/" + name)) }
        case "newest old segment left":
            let (name, data) = try #require(saved.last)
            try data.write(to: URL(fileURLWithPath: path + "/" + name))
        default:
            // Rolled, the checkpoint half-written, nothing removed yet.
            let checkpoint = try Data(contentsOf: URL(fileURLWithPath: path + "/" + after[0]))
            for (name, data) in saved { try data.write(to: URL(fileURLWithPath: path + "/" + name)) }
            try checkpoint.prefix(checkpoint.count / 2).write(to: URL(fileURLWithPath: path + "/" + after[0]))
        }
        let reopened = try TriggerJournal.open(directory: path, sync: .none, compactAfter: .max)
        #expect(answers(reopened.state, probes) == expected, "answers differ")
        #expect((reopened.repair != nil) == (step == "checkpoint torn"))
        // And it goes on: a new event is decided and journaled.
        #expect(try feed(reopened, [ECSEvents.task("later", version: 1, revision: 99)]) == [.start])
    }
}
