import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A script edited between the crash and the resume: refused, or stopped at the first step
/// that differs, never replayed into different code.
@Suite("determinism")
struct DeterminismTests {
    static let script = """
        flow.step("alpha", function() return 1 end)
        flow.exec{ cmd = "echo one >> effects", shell = true }
        flow.signal("go")
        flow.step("gamma", function() return 3 end)
        flow.exec{ cmd = "echo two >> effects", shell = true }
        """

    /// Runs the script until it waits for the signal, then SIGKILLs it.
    func interrupted(_ sb: Sandbox, id: String) async throws {
        try sb.write("w.lua", Self.script)
        let run = try sb.start(["run", "w.lua", "--id", id, "--quiet"])
        try await sb.waitForStatus(id, "waiting")
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)
        #expect(sb.lines() == ["one"])
    }

    @Test("a changed script is refused (exit 5) and the journal is left byte-identical")
    func changedScriptRefused() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await interrupted(sb, id: "c")
        try sb.write("w.lua", Self.script.replacingOccurrences(of: "\"alpha\"", with: "\"ALPHA\""))
        let before = sb.snapshotHome()

        let r = try await sb.flow(["resume", "c"])
        #expect(r.code == 5, "\(r)")
        #expect(r.stderr.contains("changed"), "\(r)")
        #expect(r.stderr.contains("--allow-changed-script"), "the message says how to go on: \(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(sb.snapshotHome().changes(since: before).isEmpty, "the refused resume changed the home: \(sb.snapshotHome().changes(since: before))")
        #expect(try await sb.statusName("c") == "interrupted")
        #expect(sb.lines() == ["one"])
    }

    @Test("--allow-changed-script stops at the first step that differs (exit 5)")
    func allowChangedScriptStopsAtTheDifference() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await interrupted(sb, id: "c")
        try sb.write("w.lua", Self.script.replacingOccurrences(of: "\"alpha\"", with: "\"ALPHA\""))
        let before = try await sb.history("c")

        let r = try await sb.flow(["resume", "c", "--allow-changed-script"])
        #expect(r.code == 5, "\(r)")
        #expect(r.stderr.contains("determinism error at step 1"), "\(r)")
        #expect(r.stderr.contains("alpha") && r.stderr.contains("ALPHA"), "the message names the step: \(r)")
        #expect(sb.lines() == ["one"], "nothing ran")

        let after = try await sb.history("c")
        func notResumed(_ h: [[String: Any]]) -> [String] {
            h.filter { $0["kind"] as? String != "resumed" }.map { "\($0["kind"] ?? "")/\($0["seq"] ?? "")/\($0["time"] ?? "")" }
        }
        #expect(notResumed(after) == notResumed(before), "records other than 'resumed' changed")
        let resumed = after.filter { $0["kind"] as? String == "resumed" }
        #expect(resumed.count == 1)
        #expect((resumed.first?["detail"] as? String)?.contains("script changed") == true)
        #expect(try await sb.statusName("c") == "interrupted")

        // Putting the original back makes the execution resumable again.
        try sb.write("w.lua", Self.script)
        #expect(try await sb.flow(["signal", "c", "go"]).code == 0)
        let fixed = try await sb.flow(["resume", "c"])
        #expect(fixed.code == 0, "\(fixed)")
        expectEffects(sb, once: ["one", "two"])
    }

    @Test("a change after the recorded steps is accepted with --allow-changed-script")
    func changeAfterTheRecordedStepsRuns() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await interrupted(sb, id: "c")
        try sb.write("w.lua", Self.script.replacingOccurrences(of: "echo two", with: "echo TWO"))
        #expect(try await sb.flow(["resume", "c"]).code == 5)
        #expect(try await sb.flow(["signal", "c", "go"]).code == 0)
        let r = try await sb.flow(["resume", "c", "--allow-changed-script"])
        #expect(r.code == 0, "\(r)")
        expectEffects(sb, once: ["one", "TWO"])
    }

    @Test("a deleted script is resumed from the copy taken at the start")
    func deletedScriptResumesFromCopy() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await interrupted(sb, id: "c")
        try FileManager.default.removeItem(atPath: sb.path("w.lua"))
        #expect(try await sb.flow(["signal", "c", "go"]).code == 0)
        let r = try await sb.flow(["resume", "c"])
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.contains("is gone"), "\(r)")
        expectEffects(sb, once: ["one", "two"])
    }
}
