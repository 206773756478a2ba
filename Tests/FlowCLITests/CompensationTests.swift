import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// flow.on_failure handlers: run once when the workflow fails or is cancelled, durably, and
/// resumed (not restarted) after a crash in the middle of them.
@Suite("compensation")
struct CompensationTests {
    static let failing = """
        flow.exec{ cmd = "echo work >> effects", shell = true }
        flow.on_failure(function()
          flow.exec{ cmd = "echo comp >> effects", shell = true }
        end)
        flow.exec{ cmd = "echo work2 >> effects", shell = true }
        flow.fail("boom")
        """

    static let sleeping = """
        flow.on_failure(function()
          flow.exec{ cmd = "echo comp >> effects", shell = true }
        end)
        flow.exec{ cmd = "echo work >> effects", shell = true }
        flow.sleep(30)
        flow.exec{ cmd = "echo after >> effects", shell = true }
        """

    @Test("flow.fail runs the on_failure handler once and exits 1")
    func failureRunsCompensation() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.failing)
        let r = try await sb.flow(["run", "w.lua", "--id", "f"])
        #expect(r.code == 1, "\(r)")
        #expect(r.stderr.contains("boom"), "\(r)")
        #expect(sb.lines() == ["work", "work2", "comp"])
        let status = try await sb.status("f")
        #expect(status["status"] as? String == "failed")
        let error = status["error"] as? [String: Any]
        #expect((error?["message"] as? String)?.contains("w.lua:6: boom") == true, "\(String(describing: error))")
        let kinds = try await sb.history("f").compactMap { $0["kind"] as? String }
        #expect(kinds.suffix(4) == ["compensating", "native.start", "completed", "finished"], "\(kinds)")
    }

    @Test("SIGKILL during compensation, then resume: the handler step runs at most twice, status failed",
          arguments: ["after-compensating:3", "before-intent:3", "after-intent:3", "after-outcome:3"])
    func crashDuringCompensation(_ crashAt: String) async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.failing)
        let run = try await sb.flow(["run", "w.lua", "--id", "f", "--quiet"], env: ["FLOW_CRASH_AT": crashAt])
        #expect(run.killedBySIGKILL, "\(run)")
        let interrupted = try await sb.status("f")
        #expect(interrupted["status"] as? String == "interrupted")
        #expect(interrupted["compensating"] as? Bool == true)

        let resume = try await sb.flow(["resume", "f"])
        #expect(resume.code == 1, "\(resume)")
        expectEffects(sb, once: ["work", "work2", "comp"], inFlight: crashAt.hasPrefix("after-intent") ? "comp" : nil)
        #expect(try await sb.statusName("f") == "failed")
        let history = try await sb.history("f")
        #expect(history.filter { $0["kind"] as? String == "compensating" }.count == 1, "compensation is not started twice")
    }

    @Test("`flow cancel` of an interrupted execution drives it through compensation itself")
    func cancelInterrupted() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.sleeping)
        let run = try sb.start(["run", "w.lua", "--id", "k", "--quiet"])
        try await sb.waitForStatus("k", "waiting")
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)

        let cancel = try await sb.flow(["cancel", "k", "--reason", "not needed"])
        // CancelCommand: a cancel that ends in "cancelled" is what was asked for: exit 0.
        #expect(cancel.code == 0, "\(cancel)")
        // Well under the 30 s timer, with room for a loaded machine.
        #expect(cancel.seconds < 20, "the cancel did not wait for the 30 s timer")
        #expect(sb.lines() == ["work", "comp"])
        let status = try await sb.status("k")
        #expect(status["status"] as? String == "cancelled")
        #expect(((status["error"] as? [String: Any])?["message"] as? String)?.contains("not needed") == true, "\(status)")
        let again = try await sb.flow(["cancel", "k"])
        #expect(again.code == 2, "\(again)")
        #expect(again.stderr.contains("already finished"), "\(again)")
    }

    @Test("`flow cancel` of a live execution: the process notices within a second, compensates, exits 6")
    func cancelLive() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.sleeping)
        let run = try sb.start(["run", "w.lua", "--id", "k", "--quiet"])
        try await sb.waitForStatus("k", "waiting")
        let cancel = try await sb.flow(["cancel", "k"])
        let asked = ContinuousClock.now
        #expect(cancel.code == 0, "\(cancel)")
        #expect(cancel.stderr.contains("pid=\(run.pid)"), "the cancel names the driving process: \(cancel)")
        let r = await run.wait(timeout: .seconds(10))
        #expect(r.code == 6, "\(r)")
        // It looks every 50 ms; the bound is for a machine that stalls processes for seconds, far
        // below the 30 s sleep.
        #expect((ContinuousClock.now - asked).seconds < 12, "the live process took too long to notice")
        #expect(sb.lines() == ["work", "comp"])
        #expect(try await sb.statusName("k") == "cancelled")
    }

    @Test("`flow cancel` of a live flow.exec kills the process and compensates")
    func cancelLiveExec() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.on_failure(function()
              flow.exec{ cmd = "echo comp >> effects", shell = true }
            end)
            flow.exec{ cmd = "echo started $$ >> running; exec sleep 20", shell = true }
            flow.exec{ cmd = "echo after >> effects", shell = true }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "k", "--quiet"])
        try await sb.waitUntil("the step to start") { sb.read("running").contains("started") }
        let child = try #require(sb.lines("running").first?.split(separator: " ").last.flatMap { pid_t($0) })
        sb.adopt(child)
        #expect(try await sb.flow(["cancel", "k"]).code == 0)
        let r = await run.wait(timeout: .seconds(10))
        #expect(r.code == 6, "\(r)")
        #expect(sb.lines() == ["comp"])
        #expect(kill(child, 0) != 0 || Self.isZombie(child), "the step's process was left running")
    }

    @Test("SIGKILL during the compensation that `flow cancel` drives; resume finishes it: cancelled, exit 6")
    func crashDuringCancelCompensation() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.sleeping)
        let run = try sb.start(["run", "w.lua", "--id", "k", "--quiet"])
        try await sb.waitForStatus("k", "waiting")
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)
        // Steps: 1 exec, 2 sleep (cancelled), 3 the handler's exec.
        let cancel = try await sb.flow(["cancel", "k"], env: ["FLOW_CRASH_AT": "after-intent:3"])
        #expect(cancel.killedBySIGKILL, "\(cancel)")
        let mid = try await sb.status("k")
        #expect(mid["status"] as? String == "interrupted")
        #expect(mid["compensating"] as? Bool == true)

        let resume = try await sb.flow(["resume", "k"])
        #expect(resume.code == 6, "\(resume)")
        expectEffects(sb, once: ["work", "comp"], inFlight: "comp")
        #expect(try await sb.statusName("k") == "cancelled")
    }

    /// `Composition.drive(_:options:printID:)` is called with printID: false by `flow cancel`:
    /// its stdout is for data, and cancel has none.
    @Test("`flow cancel` prints nothing on stdout")
    func cancelPrintsNoID() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.sleeping)
        let run = try await sb.flow(["run", "w.lua", "--id", "k", "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:2"])
        #expect(run.killedBySIGKILL)
        let cancel = try await sb.flow(["cancel", "k"])
        #expect(cancel.code == 0, "\(cancel)")
        #expect(cancel.stdout.isEmpty, "\(cancel)")
    }

    static func isZombie(_ pid: pid_t) -> Bool {
        let stat = Sandbox.readText("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
