import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A journal whose only segment lost its header (a 4 KiB sector of zeros over a small journal, or
/// a cut inside the 16-byte header): damage, refused with exit 4 by every command, and never taken
/// for a creation that died before its start record, which `flow resume` would remove and
/// `flow run --id` run again, repeating the steps that had run (found by scripts/wal-damage).
@Suite("journal loss")
struct JournalLossTests {
    static let script = """
        flow.exec{ cmd = "echo one >> effects", shell = true }
        flow.exec{ cmd = "echo two >> effects", shell = true }
        flow.exec{ cmd = "echo three >> effects", shell = true }
        """

    @Test("the only segment zeroed or cut inside its header: exit 4 naming it, nothing removed, no step run again",
          arguments: ["zeros", "cut"])
    func lostOnlySegmentIsRefused(damage: String) async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.script)
        let run = try await sb.flow(["run", "w.lua", "--id", "lost", "--quiet"], env: ["FLOW_CRASH_AT": "after-outcome:2"])
        #expect(run.killedBySIGKILL, "\(run)")
        let segment = sb.segment("lost")
        let original = sb.bytes(segment)
        #expect(original.count > 16 && original.count < 4096, "one 4 KiB sector covers the journal")
        try sb.writeBytes(segment, damage == "zeros" ? [UInt8](repeating: 0, count: original.count) : Array(original.prefix(10)))
        let before = sb.snapshotHome()

        for args in [["status", "lost"], ["history", "lost"], ["resume", "lost"], ["resume", "lost"]] {
            let r = try await sb.flow(args)
            #expect(r.code == 4, "\(args): \(r)")
            #expect(r.stderr.contains(segment) && r.stderr.contains("offset 0"), "\(args) names the file and offset: \(r)")
        }
        let again = try await sb.flow(["run", "w.lua", "--id", "lost", "--quiet"])
        #expect(again.code == 2 && again.stderr.contains("already exists"), "\(again)")
        #expect(sb.snapshotHome().changes(since: before).isEmpty, "\(sb.snapshotHome().changes(since: before))")
        #expect(sb.lines() == ["one", "two"], "no step ran again")
    }
}
