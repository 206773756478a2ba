import FlowWAL
import Testing
@testable import FlowEngine

/// What a power cut right after the start record is acknowledged would leave: every entry the
/// execution needs is synced before that record, in the one order that makes each durable. Only
/// the order of the syncs shows it short of cutting the power, so FlowWAL's SyncWitness is read.
@Suite("creation syncs", .serialized)
struct CreationSyncOrderTests {
    @Test("a new execution's directory entries are durable before its start record, in five syncs")
    func entriesBeforeStart() async throws {
        let h = try WorkflowHarness()
        let script = h.write("one.lua", #"return flow.step("a", function() return 1 end)"#)
        // A home that exists already, as every start after the first one in a home sees it.
        try FlowHome.makeDirectories(h.home.executionsDirectory)
        SyncWitness.start()
        defer { SyncWitness.stop() }
        let outcome = try await h.run(script, id: "c")
        guard case .succeeded = outcome else { Issue.record("\(outcome)"); return }

        let syncs = SyncWitness.syncs(under: h.home.root)
        let dir = h.home.directory(of: "c")
        let journal = h.home.journalDirectory(of: "c")
        let segment = journal + "/00000001.wal"
        // The first sync of the segment after it was named is the start record's.
        guard let start = syncs.firstIndex(where: { $0.path == segment && $0.call == "fdatasync" }) else {
            Issue.record("the start record was never synced: \(syncs)")
            return
        }
        let creation = Array(syncs[..<start])
        func index(_ path: String) -> Int? { creation.firstIndex { $0.path == path } }
        func temporary(_ name: String, in directory: String) -> Int? {
            creation.firstIndex { $0.path.hasPrefix(directory + "/." + name + ".tmp.") }
        }
        // executions/: the execution's own entry, which nothing else would make durable.
        let executions = try #require(index(h.home.executionsDirectory), "executions/ not synced: \(creation)")
        let scriptCopy = try #require(temporary("script.lua", in: dir), "script copy not synced: \(creation)")
        let execution = try #require(creation.lastIndex { $0.path == dir }, "execution directory not synced: \(creation)")
        let segmentData = try #require(temporary("00000001.wal", in: journal), "segment not synced: \(creation)")
        let journalEntry = try #require(index(journal), "journal directory not synced: \(creation)")
        // The execution's directory is synced after the script is renamed into it, so one sync
        // covers the lock's, the script's and the journal's entries.
        #expect(scriptCopy < execution)
        #expect(executions < execution)
        #expect(segmentData < journalEntry)
        #expect(creation.count == 5, "\(creation.map { $0.call + " " + h.local($0.path) })")
        // The lock's text is not synced: only a live holder's text is ever read.
        #expect(!creation.contains { $0.path == h.home.lockPath(of: "c") })
    }

    @Test("the first execution in a new home also syncs the home's own entries")
    func newHome() async throws {
        let h = try WorkflowHarness()
        let script = h.write("one.lua", "return 1")
        SyncWitness.start()
        defer { SyncWitness.stop() }
        _ = try await h.run(script, id: "c")
        let synced = Set(SyncWitness.syncs(under: h.root).map(\.path))
        // Each created directory's parent: the test's root (for home/), home/ (for executions/).
        #expect(synced.contains(h.root))
        #expect(synced.contains(h.home.root))
        #expect(synced.contains(h.home.executionsDirectory))
    }
}
