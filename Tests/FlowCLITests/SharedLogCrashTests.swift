import FlowWAL
import Foundation
import Testing

/// `flow run --group-commit` killed with SIGKILL, then `flow resume`: the journal's steps were
/// durable in the shared log (HOME/commit) only. With the machine's page cache kept (a process
/// crash) the resume finds them in the journal; with it lost (a power loss, made here by cutting
/// the journal back to where the shared log takes over) the resume puts them back from the
/// shared log first. Either way no completed step runs again.
@Suite("group commit: crash and resume")
struct SharedLogCrashTests {
    /// Frames of every generation in the home's shared log directory: (segment path, offset, length).
    static func frames(_ sb: Sandbox) throws -> [(path: String, offset: UInt64, count: Int)] {
        let shared = sb.home + "/commit"
        var frames: [(String, UInt64, Int)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: shared) where name != "recovery.lock" {
            for record in try WALReader.read(directory: shared + "/" + name).records {
                let p = record.payload
                let length = Int(p[0]) | Int(p[1]) << 8 | Int(p[2]) << 16 | Int(p[3]) << 24
                let stored = String(decoding: p[4..<(4 + length)], as: UTF8.self)
                var offset: UInt64 = 0
                for k in 0..<8 { offset |= UInt64(p[4 + length + k]) << (8 * k) }
                frames.append((stored.hasPrefix("/") ? stored : sb.home + "/" + stored, offset, p.count - 12 - length))
            }
        }
        return frames.sorted { $0.1 < $1.1 }
    }

    func generations(_ sb: Sandbox) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sb.home + "/commit")) ?? []).filter { $0 != "recovery.lock" }
    }

    @Test("SIGKILL, then the journal cut back to where the shared log takes over (a power loss): resume puts the steps back, none runs again",
          arguments: [false, true])
    func powerLossAfterKill(zeros: Bool) async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(6))
        let run = try await sb.flow(["run", "w.lua", "--id", "gc", "--quiet", "--group-commit"],
                                    env: ["FLOW_CRASH_AT": "after-outcome:4"])
        #expect(run.killedBySIGKILL, "\(run)")
        #expect(sb.lines() == ["s1", "s2", "s3", "s4"])

        // Steps 1-4 are in the journal only through the page cache; the shared log has them.
        let segment = sb.segment("gc")
        let whole = sb.bytes(segment)
        let frames = try Self.frames(sb).filter { $0.path == segment }
        let first = try #require(frames.first, "no frame of \(segment) in the shared log")
        #expect(frames.count >= 8, "an intent and an outcome per step: \(frames.count) frames")
        #expect(Int(frames.last!.offset) + frames.last!.count == whole.count, "the shared log covers the journal's end")
        let kept = Array(whole.prefix(Int(first.offset)))
        // The shared log as the killed process left it, to lose the page cache a second time.
        let shared = sb.home + "/commit"
        let saved = sb.dir + "/saved-commit"
        try FileManager.default.copyItem(atPath: shared, toPath: saved)
        func copyGenerationBack() throws {
            try FileManager.default.removeItem(atPath: shared)
            try FileManager.default.copyItem(atPath: saved, toPath: shared)
        }
        let lost = whole.count - kept.count
        try sb.writeBytes(segment, kept + (zeros ? [UInt8](repeating: 0, count: lost) : []))
        #expect(try WALReader.read(directory: sb.journalDirectory("gc")).records.isEmpty, "the cut journal has no record")

        // A reader puts them back first: the status is the one before the crash.
        let status = try await sb.status("gc")
        #expect(status["status"] as? String == "interrupted" && status["steps"] as? Int == 4, "\(status)")
        #expect(generations(sb).isEmpty, "the dead process's shared log is removed once put back")
        #expect(sb.bytes(segment) == whole)

        // Again, with the resume the first to look.
        try sb.writeBytes(segment, kept + (zeros ? [UInt8](repeating: 0, count: lost) : []))
        try copyGenerationBack()
        let resume = try await sb.flow(["resume", "gc"])
        #expect(resume.code == 0, "\(resume)")
        expectEffects(sb, once: CrashResumeTests.steps)
        #expect(Array(sb.bytes(segment).prefix(whole.count)) == whole, "the journal as it was before the loss, then the rest")
        let history = try await sb.history("gc")
        for s in 1...6 {
            #expect(history.filter { $0["kind"] as? String == "completed" && $0["seq"] as? Int == s }.count == 1, "seq \(s)")
        }
        #expect(resume.stderr.contains("group commits were put back"), "\(resume)")
        #expect(generations(sb).isEmpty)
        #expect(try await sb.statusName("gc") == "succeeded")
    }

    @Test("SIGKILL with the page cache kept: the shared log matches the journal, nothing is written, and the resume carries on")
    func processCrashOnly() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(6))
        let run = try await sb.flow(["run", "w.lua", "--id", "gc", "--quiet", "--group-commit"],
                                    env: ["FLOW_CRASH_AT": "after-outcome:2"])
        #expect(run.killedBySIGKILL, "\(run)")
        let whole = sb.bytes(sb.segment("gc"))
        #expect(generations(sb).count == 1)
        let resume = try await sb.flow(["resume", "gc", "--group-commit"])
        #expect(resume.code == 0, "\(resume)")
        expectEffects(sb, once: CrashResumeTests.steps)
        #expect(Array(sb.bytes(sb.segment("gc")).prefix(whole.count)) == whole)
        #expect(generations(sb).isEmpty, "the dead one recovered, and the resume's own retired at its exit")
    }

    @Test("a run with group commit that ends leaves no shared log behind, and its journal is whole on its own")
    func cleanExit() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(3))
        let run = try await sb.flow(["run", "w.lua", "--id", "gc", "--quiet", "--group-commit"])
        #expect(run.code == 0, "\(run)")
        #expect(generations(sb).isEmpty)
        #expect(try await sb.statusName("gc") == "succeeded")
    }
}
