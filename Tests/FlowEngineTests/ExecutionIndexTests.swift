import Foundation
import FlowLua
import FlowWAL
import Synchronization
import Testing
@testable import FlowEngine

/// `HOME/index`: a cache of finished executions' summaries that `flow list` may use only where it
/// says exactly what the journals say.
@Suite("execution index")
struct ExecutionIndexTests {
    /// A home with succeeded, failed, interrupted and running executions, and one whose final
    /// record made it to the journal but whose index entry did not.
    static func home() async throws -> WorkflowHarness {
        let h = try WorkflowHarness()
        let ok = h.write("ok.lua", """
            local a = flow.step("a", function() return { n = 1.5, list = { 1, "two", true } } end)
            return { a = a, text = "é \\"quoted\\" / slash", big = 9007199254740993 }
            """)
        let bad = h.write("bad.lua", """
            flow.step("a", function() return 1 end)
            flow.on_failure(function() flow.step("undo", function() return 0 end) end)
            flow.fail("no good")
            """)
        for i in 0..<4 { _ = try await h.run(ok, id: "ok-\(i)") }
        _ = try await h.run(bad, id: "bad")
        _ = try await h.run(ok, id: "source")
        try h.crashCopy(from: "source", to: "unindexed", records: try h.entries("source").count)
        // The start and the first step's intent: interrupted, or running while its lock is held.
        try h.crashCopy(from: "source", to: "wait-source", records: 2)
        return h
    }

    static func json(_ rows: [ExecutionSummary], _ problems: [String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n" + problems.joined(separator: "\n")
    }

    static func listing(_ home: FlowHome) throws -> String {
        let (rows, problems) = ExecutionSummary.list(home: home)
        return try json(rows, problems)
    }

    /// What `flow list` said before the index: every summary read from its journal.
    static func fromJournals(_ home: FlowHome) throws -> String {
        var rows: [ExecutionSummary] = []
        var problems: [String] = []
        for id in home.executionIDs() {
            do { rows.append(try ExecutionSummary.load(home: home, id: id)) } catch { problems.append("\(id): \(error)") }
        }
        return try json(rows, problems)
    }

    static func indexPath(_ h: WorkflowHarness) -> String { ExecutionIndex.path(of: h.home) }

    @Test("the index stands for finished executions, and a crash before its append is repaired by the next list")
    func coversFinishedExecutions() async throws {
        let h = try await Self.home()
        let snapshot = ExecutionIndex.snapshot(h.home)
        for id in ["ok-0", "ok-3", "bad", "source"] { #expect(snapshot.standing(id) != nil, "\(id) is indexed at its finish") }
        #expect(snapshot.standing("unindexed") == nil, "a final record without its index entry (a crash in between)")
        #expect(snapshot.standing("wait-source") == nil, "an execution that has not finished")
        let expected = try Self.fromJournals(h.home)
        #expect(try Self.listing(h.home) == expected)
        #expect(ExecutionIndex.snapshot(h.home).standing("unindexed") != nil, "the list added the missing entry")
        #expect(try Self.listing(h.home) == expected)
    }

    @Test("a missing, truncated, torn or garbled index lists exactly what the journals say")
    func damageNeverChangesTheList() async throws {
        let h = try await Self.home()
        // A held lock makes the unfinished one "running" (its driver named), as a live process would.
        let lock = try FileLock.acquire(path: h.home.lockPath(of: "wait-source"), extra: "test")
        defer { lock.release() }
        try FileManager.default.createDirectory(atPath: h.home.journalDirectory(of: "zz-empty"), withIntermediateDirectories: true)
        let expected = try Self.fromJournals(h.home)
        #expect(expected.contains("\"running\"") && expected.contains("zz-empty: "), "\(expected)")
        _ = try Self.listing(h.home)
        let healthy = try #require(IndexFile.read(path: Self.indexPath(h)))
        var damages: [(String, [UInt8])] = [("missing", []), ("empty", [])]
        for cut in stride(from: 1, to: healthy.count, by: max(1, healthy.count / 40)) {
            damages.append(("truncated at \(cut)", Array(healthy.prefix(cut))))
        }
        for at in stride(from: 0, to: healthy.count, by: max(1, healthy.count / 40)) {
            var flipped = healthy
            flipped[at] ^= 0x5a
            damages.append(("byte \(at) flipped", flipped))
        }
        var random = SystemRandomNumberGenerator()
        let noise = (0..<3000).map { _ in UInt8.random(in: 0...255, using: &random) }
        damages.append(("random bytes", noise))
        damages.append(("random bytes before", noise + healthy))
        damages.append(("random bytes after", healthy + noise))
        damages.append(("random bytes inside", Array(healthy.prefix(healthy.count / 2)) + noise + healthy.suffix(healthy.count / 2)))
        damages.append(("a torn frame at the end", healthy + IndexFile.magic + [0x40, 0, 0, 0, 1, 2]))
        damages.append(("frames repeated", healthy + healthy))
        for (what, bytes) in damages {
            try? FileManager.default.removeItem(atPath: Self.indexPath(h))
            if what != "missing" { try Data(bytes).write(to: URL(fileURLWithPath: Self.indexPath(h))) }
            #expect(try Self.listing(h.home) == expected, "\(what)")
            #expect(try Self.listing(h.home) == expected, "\(what), after the list's repairs")
        }
        // Repairs leave a clean file: the garbage was rewritten away.
        #expect(ExecutionIndex.snapshot(h.home).garbage == 0)
    }

    @Test("entries of a state a redrive replaced are stale, even written after the invalidation")
    func redriveInvalidates() async throws {
        let h = try WorkflowHarness()
        let fixed = h.root + "/fixed"
        let script = h.write("w.lua", """
            flow.step("a", function() return 1 end)
            flow.exec{ cmd = { "test", "-f", "\(fixed)" }, retry = { max_attempts = 1 } }
            return "done"
            """)
        _ = try await h.run(script, id: "r")
        let failed = try #require(ExecutionIndex.snapshot(h.home).standing("r"))
        #expect(ExecutionSummary.list(home: h.home).rows.first?.status == "failed")
        let staleFrame = Array(ExecutionIndex.snapshot(h.home).frame(of: failed))

        ExecutionIndex.invalidateRedrive(home: h.home, id: "r")
        #expect(ExecutionIndex.snapshot(h.home).standing("r") == nil)
        // A list that read the journal before the redrive appends its entry afterwards: still stale.
        IndexFile.append(staleFrame, to: Self.indexPath(h))
        #expect(ExecutionIndex.snapshot(h.home).standing("r") == nil)

        _ = FileManager.default.createFile(atPath: fixed, contents: Data())
        let outcome = try await ExecutionRunner(.redrive(id: "r", by: "test", reason: nil), options: h.options()).run()
        #expect(outcome == .succeeded("done"))
        IndexFile.append(staleFrame, to: Self.indexPath(h))
        let standing = try #require(ExecutionIndex.snapshot(h.home).standing("r"))
        #expect(standing.head.version.redrives == 1)
        #expect(try Self.listing(h.home) == (try Self.fromJournals(h.home)))
        #expect(ExecutionSummary.list(home: h.home).rows.first?.status == "succeeded")
    }

    @Test("an execution deleted by hand is not listed; one created again under its id is not taken for it")
    func deletedAndRecreated() async throws {
        let h = try WorkflowHarness()
        let ok = h.write("ok.lua", "return 1")
        _ = try await h.run(ok, id: "x")
        _ = try await h.run(ok, id: "y")
        try FileManager.default.removeItem(atPath: h.home.directory(of: "x"))
        #expect(ExecutionSummary.list(home: h.home).rows.map(\.id) == ["y"])

        // The same id again, by a path that invalidates at creation (flow run --id, flow watch),
        // left interrupted by a crash: the old entry must not say "succeeded".
        let stale = Array(try #require(IndexFile.read(path: Self.indexPath(h))))
        ExecutionIndex.invalidateCreation(home: h.home, id: "x")
        try await Task.sleep(for: .milliseconds(2))
        _ = try await h.run(h.write("step.lua", "flow.step('a', function() return 1 end)"), id: "source")
        try h.crashCopy(from: "source", to: "x", records: 2)
        IndexFile.append(stale, to: Self.indexPath(h))
        #expect(ExecutionSummary.list(home: h.home).rows.first { $0.id == "x" }?.status == "interrupted")
        #expect(try Self.listing(h.home) == (try Self.fromJournals(h.home)))
    }

    @Test("entries written in another boot are not trusted; the list rewrites them")
    func otherBoot() async throws {
        let h = try await Self.home()
        let bytes = try #require(IndexFile.read(path: Self.indexPath(h)))
        let snapshot = IndexSnapshot(bytes: bytes, boot: BootIdentity.current &+ 1)
        #expect(snapshot.standing("ok-0") == nil)
        // Re-stamp every entry as written in an earlier boot.
        var old: [UInt8] = []
        for id in ["ok-0", "ok-1", "bad"] {
            let c = try #require(ExecutionIndex.snapshot(h.home).standing(id))
            var summary = try #require(ExecutionIndex.snapshot(h.home).summary(of: id))
            summary.status = "stale"
            let e = IndexEntry(id: id, version: c.head.version, boot: BootIdentity.current &+ 1, summary: summary)
            old += try #require(IndexFile.frame(IndexCodec.encode(e)))
        }
        try Data(old).write(to: URL(fileURLWithPath: Self.indexPath(h)))
        #expect(try Self.listing(h.home) == (try Self.fromJournals(h.home)))
        #expect(ExecutionIndex.snapshot(h.home).standing("ok-0")?.head.boot == BootIdentity.current)
    }

    @Test("a summary too large for one small record is not indexed, and still listed")
    func largeSummaries() async throws {
        let h = try WorkflowHarness()
        let big = h.write("big.lua", "return string.rep('x', 40000)")
        _ = try await h.run(big, id: "big")
        #expect(ExecutionIndex.snapshot(h.home).standing("big") == nil)
        let a = try Self.listing(h.home), b = try Self.fromJournals(h.home)
        #expect(a == b, "\(a.prefix(3000))\n----\n\(b.prefix(3000))")
    }

    @Test("threads appending at once while another compacts: every record survives, whole")
    func concurrentAppendsAndCompaction() async throws {
        let h = try WorkflowHarness()
        try FlowHome.makeDirectories(h.home.root)
        let path = Self.indexPath(h)
        let template = ExecutionSummary(
            id: "", workflow: "w.lua", status: "succeeded", started_at: "2026-01-01T00:00:00.000Z", finished_at: nil,
            updated_at: "2026-01-01T00:00:00.000Z", steps: 3, current_step: nil, compensating: false, error: nil,
            result: .string(String(repeating: "r", count: 300)), driver: nil, journal_warning: nil, last_operator_action: nil)
        let writers = 6, each = 300
        var ids: Set<String> = []
        for w in 0..<writers { for i in 0..<each { ids.insert("e-\(w)-\(i)") } }
        let present = ids
        let done = Mutex(0), compactions = Mutex(0)
        let threads = (0..<writers).map { w in
            Thread {
                for i in 0..<each {
                    var s = template
                    s.id = "e-\(w)-\(i)"
                    let e = IndexEntry(id: s.id, version: IndexVersion(startedMillis: 1, seed: Int64(w * each + i + 1), redrives: 0),
                                       boot: BootIdentity.current, summary: s)
                    IndexFile.append(IndexFile.frame(IndexCodec.encode(e))!, to: path)
                    // Halfway, each writer waits for compactions to have run while it writes.
                    if i == each / 2 {
                        let deadline = ContinuousClock.now + .seconds(60)
                        while compactions.withLock({ $0 }) < 3 && ContinuousClock.now < deadline { usleep(1000) }
                    }
                }
                done.withLock { $0 += 1 }
            }
        }
        threads.forEach { $0.start() }
        while done.withLock({ $0 }) < writers {
            if IndexFile.compact(path: path, rebuild: { ExecutionIndex.rebuild($0, boot: BootIdentity.current, present: present, healed: [], now: 0) }) {
                compactions.withLock { $0 += 1 }
            }
        }
        let snapshot = ExecutionIndex.snapshot(h.home)
        #expect(snapshot.garbage == 0)
        let missing = ids.filter { snapshot.summary(of: $0) == nil }
        #expect(missing.isEmpty, "\(missing.count) of \(ids.count) records lost (\(compactions.withLock { $0 }) compactions)")
        #expect(compactions.withLock { $0 } >= 3)
    }

    @Test("compaction drops entries of deleted executions and expired invalidations, keeps the rest")
    func compaction() async throws {
        let h = try await Self.home()
        _ = try Self.listing(h.home)
        ExecutionIndex.invalidateCreation(home: h.home, id: "future")
        let before = ExecutionIndex.snapshot(h.home)
        let old = before.bytes
        let rebuilt = ExecutionIndex.rebuild(old, boot: BootIdentity.current, present: ["ok-0", "bad"], healed: [], now: WallClock.now())
        let after = IndexSnapshot(bytes: rebuilt, boot: BootIdentity.current)
        #expect(after.standing("ok-0") != nil && after.standing("bad") != nil)
        #expect(after.standing("ok-1") == nil, "not in the directory any more")
        #expect(after.slot("future")?.invalidations.count == 1, "young invalidations stay")
        let later = ExecutionIndex.rebuild(
            old, boot: BootIdentity.current, present: ["ok-0"], healed: [], now: WallClock.now() + ExecutionIndex.invalidationLifetime)
        #expect(IndexSnapshot(bytes: later, boot: BootIdentity.current).slot("future") == nil)
    }
}
