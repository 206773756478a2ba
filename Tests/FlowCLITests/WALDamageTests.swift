import FlowWAL
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A journal damaged on disk, seen through the CLI: a torn tail is repaired on resume (and
/// the cut bytes kept), damage in the middle is refused with exit 4 and touched by no one.
@Suite("journal damage")
struct WALDamageTests {
    static let script = """
        flow.exec{ cmd = "echo one >> effects", shell = true }
        flow.exec{ cmd = "echo two >> effects", shell = true }
        flow.signal("go")
        flow.exec{ cmd = "echo three >> effects", shell = true }
        """

    /// An execution killed while waiting for the signal (journal: started, 2 x intent and
    /// outcome, the signal's intent).
    func interrupted(_ sb: Sandbox) async throws {
        try sb.write("w.lua", Self.script)
        let run = try await sb.flow(["run", "w.lua", "--id", "d", "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:3"])
        #expect(run.killedBySIGKILL, "\(run)")
        #expect(try await sb.flow(["signal", "d", "go"]).code == 0)
    }

    @Test("a torn tail is repaired by resume: warning, a .broken copy, and the execution completes")
    func tornTailRepaired() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await interrupted(sb)
        let segment = sb.segment("d")
        let original = sb.bytes(segment)
        try sb.writeBytes(segment, Array(original.dropLast(3)))

        let status = try await sb.status("d")
        #expect(status["status"] as? String == "interrupted")
        #expect((status["journal_warning"] as? String)?.contains("torn tail") == true, "status reports the torn tail: \(status)")
        #expect(sb.bytes(segment).count == original.count - 3, "status does not repair")

        let resume = try await sb.flow(["resume", "d"])
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.stderr.contains("repaired"), "\(resume)")
        #expect(resume.stderr.contains(segment), "the warning names the file: \(resume)")
        let broken = segment + ".broken"
        #expect(sb.exists(broken))
        let cut = sb.bytes(broken)
        #expect(!cut.isEmpty && Array(original.dropLast(3).suffix(cut.count)) == cut, "the .broken file holds the cut bytes")
        // The cut record was the signal's intent: the wait is journaled again and still finds the signal.
        expectEffects(sb, once: ["one", "two", "three"])
        #expect(try await sb.statusName("d") == "succeeded")
    }

    @Test("a byte flipped mid-journal: resume, status and history exit 4 naming the file and offset; nothing changes")
    func corruptionRefused() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await interrupted(sb)
        let segment = sb.segment("d")
        let records = try WALReader.read(directory: sb.journalDirectory("d")).records
        #expect(records.count == 6)
        let victim = records[2]
        let offset = Int(victim.position.offset)
        var bytes = sb.bytes(segment)
        bytes[offset + 12 + victim.payload.count / 2] ^= 0x5a
        try sb.writeBytes(segment, bytes)
        let before = sb.snapshotHome()

        let resume = try await sb.flow(["resume", "d"])
        #expect(resume.code == 4, "\(resume)")
        #expect(resume.stderr.contains(segment), "the message names the file: \(resume)")
        #expect(resume.stderr.contains("offset \(offset)"), "the message names the offset \(offset): \(resume)")
        #expect(resume.stdout.isEmpty, "\(resume)")
        for args in [["status", "d"], ["history", "d"]] {
            let r = try await sb.flow(args)
            #expect(r.code == 4, "\(r)")
            #expect(r.stderr.contains("offset \(offset)"), "\(r)")
        }
        #expect(sb.bytes(segment) == bytes, "the damaged journal is byte-identical")
        #expect(sb.snapshotHome().changes(since: before).isEmpty, "the home changed: \(sb.snapshotHome().changes(since: before))")
        #expect(sb.lines() == ["one", "two"], "no step ran")

        let list = try await sb.flow(["list"])
        #expect(list.code == 0, "list goes on past a damaged execution: \(list)")
        #expect(list.stderr.contains("d:"), "and warns about it: \(list)")
    }
}
