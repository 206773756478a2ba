import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// flow pause / unpause / promote / abort from another process: each journaled with who and
/// why, seen by a live execution within a second, or taken by an interrupted one when resumed.
@Suite("operator commands")
struct OperatorTests {
    /// a, a wait for the signal `go`, a 2 s timer, b, c. The signal holds the execution at a known
    /// point for as long as a test needs, however slowly a loaded machine starts the commands
    /// (a timer alone gave the test a 3 s window to post a pause in, which a busy suite missed).
    static let heldAtSignal = """
        flow.exec{ cmd = "echo a >> effects", shell = true }
        flow.signal("go")
        flow.sleep(2)
        flow.exec{ cmd = "echo b >> effects", shell = true }
        flow.exec{ cmd = "echo c >> effects", shell = true }
        """

    @Test("pause holds a live execution before its next step (timers keep their deadlines); unpause goes on")
    func pauseAndUnpauseLive() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.heldAtSignal)
        let run = try sb.start(["run", "w.lua", "--id", "p", "--plain"])
        try await sb.waitForStatus("p", "waiting")
        let pause = try await sb.flow(["pause", "p", "--reason", "checking an alert"])
        #expect(pause.code == 0, "\(pause)")
        #expect(pause.stderr.contains("takes it within a second"), "\(pause.stderr)")
        try await sb.waitForStatus("p", "paused")
        let status = try await sb.status("p")
        #expect(status["paused"] as? Bool == true)
        let last = status["last_operator_action"] as? String ?? ""
        #expect(last.contains("pause by ") && last.contains("checking an alert"), "\(status)")
        // A pause holds native steps, not waits: the signal ends its wait, and the 2 s timer
        // after it runs out while paused; b is held well past it.
        #expect(try await sb.flow(["signal", "p", "go"]).code == 0)
        let t0 = ContinuousClock.now
        try await sb.waitUntil("the signal taken") { sb.inboxFiles("p").isEmpty }
        try await Task.sleep(until: t0 + .seconds(5))
        #expect(sb.lines() == ["a"], "b ran while paused: \(sb.lines())")
        #expect(try await sb.statusName("p") == "paused")

        let unpause = try await sb.flow(["unpause", "p", "--reason", "false positive"])
        #expect(unpause.code == 0, "\(unpause)")
        let r = await run.wait(timeout: .seconds(30))
        #expect(r.code == 0, "\(r)")
        expectEffects(sb, once: ["a", "b", "c"])
        #expect(r.stderr.contains("flow: pause by "), "\(r.stderr)")
        #expect(r.stderr.contains("flow: unpause by "), "\(r.stderr)")
        let ops = try await sb.history("p").filter { $0["kind"] as? String == "operator" }
        #expect(ops.map { $0["name"] as? String ?? "" } == ["pause", "unpause"], "\(ops)")
        let detail = ops.first?["detail"] as? String ?? ""
        #expect(detail.contains("checking an alert"), "\(detail)")
    }

    @Test("a pause posted to an interrupted execution is taken when it resumes")
    func pauseInterrupted() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.heldAtSignal)
        let run = try sb.start(["run", "w.lua", "--id", "i", "--plain"])
        try await sb.waitForStatus("i", "waiting")
        run.send(SIGINT)
        #expect(await run.wait().code == 130)
        let pause = try await sb.flow(["pause", "i"])
        #expect(pause.code == 0)
        #expect(pause.stderr.contains("applied when the execution resumes"), "\(pause.stderr)")
        #expect(try await sb.statusName("i") == "interrupted")
        // With the signal there too, only the pause stands between the resume and b.
        #expect(try await sb.flow(["signal", "i", "go"]).code == 0)

        let resume = try sb.start(["resume", "i", "--plain"])
        try await sb.waitForStatus("i", "paused")
        try await Task.sleep(for: .seconds(4))
        #expect(sb.lines() == ["a"], "\(sb.lines())")
        // promote lifts an operator pause too.
        #expect(try await sb.flow(["promote", "i", "--reason", "go"]).code == 0)
        let r = await resume.wait(timeout: .seconds(30))
        #expect(r.code == 0, "\(r)")
        expectEffects(sb, once: ["a", "b", "c"])
    }

    @Test("promote delivers `promote` (with who and why) to the step waiting for it, and is journaled")
    func promoteEndsAWait() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local p = flow.signal("promote", { timeout = 60 })
            return { by = p.by, reason = p.reason, full = p.full }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "g", "--plain"])
        try await sb.waitForStatus("g", "waiting")
        #expect(try await sb.flow(["promote", "g", "--reason", "metrics look fine"]).code == 0)
        let r = await run.wait(timeout: .seconds(30))
        #expect(r.code == 0, "\(r)")
        let result = try Sandbox.object(r.stdout.split(separator: "\n").last.map(String.init) ?? "{}")
        #expect(result["reason"] as? String == "metrics look fine")
        #expect((result["by"] as? String ?? "").contains("@"))
        #expect(result["full"] as? Bool == false)
        let ops = try await sb.history("g").filter { $0["kind"] as? String == "operator" }
        #expect(ops.map { $0["name"] as? String ?? "" } == ["promote"])
    }

    @Test("flow.signal with timeout 0 polls: nil at once when absent, the data when present, the same on replay")
    func pollingSignal() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local a, why = flow.signal("x", { timeout = 0 })
            flow.exec{ cmd = "echo first " .. tostring(a) .. " " .. tostring(why) .. " >> effects", shell = true }
            flow.signal("go")
            local b = flow.signal("x", { timeout = 0 })
            flow.exec{ cmd = "echo second " .. tostring(b and b.v) .. " >> effects", shell = true }
            flow.signal("end")
            return b.v
            """)
        let run = try sb.start(["run", "w.lua", "--id", "s", "--plain"])
        try await sb.waitForStatus("s", "waiting")
        #expect(try await sb.flow(["signal", "s", "x", "--data", "{\"v\": 7}"]).code == 0)
        #expect(try await sb.flow(["signal", "s", "go"]).code == 0)
        try await sb.waitUntil("the second poll ran", timeout: .seconds(20)) { sb.lines().count == 2 }
        run.send(SIGINT)
        #expect(await run.wait().code == 130)
        // Replayed: the polls answer as journaled (no effect runs again).
        let resume = try sb.start(["resume", "s", "--plain"])
        try await sb.waitForStatus("s", "waiting")
        #expect(try await sb.flow(["signal", "s", "end"]).code == 0)
        let r = await resume.wait(timeout: .seconds(30))
        #expect(r.code == 0, "\(r)")
        #expect(sb.lines() == ["first nil timeout", "second 7"], "\(sb.lines())")
        let history = try await sb.history("s")
        #expect(!history.contains { $0["kind"] as? String == "failed" }, "a poll is not a failure")
    }

    @Test("operator commands refuse a finished execution and an unknown id; --force needs --full")
    func refusals() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", "return 1")
        #expect(try await sb.flow(["run", "w.lua", "--id", "done"]).code == 0)
        for verb in ["pause", "unpause", "promote", "abort"] {
            let r = try await sb.flow([verb, "done"])
            #expect(r.code == 2, "\(verb): \(r)")
            #expect(r.stderr.contains("already finished (succeeded)"), "\(verb): \(r.stderr)")
        }
        #expect(try await sb.flow(["pause", "nope"]).code == 2)
        let force = try await sb.flow(["promote", "done", "--force"])
        #expect(force.code == 2 && force.stderr.contains("--force only applies with --full"), "\(force)")
    }

    /// a, then b (fails until the file `fixed` exists), then a wait for the signal `go` (a point
    /// to kill it at that no timing can miss) and c; fail-back echoes comp.
    static let redrivable = """
        flow.on_failure(function() flow.exec{ cmd = "echo comp >> effects", shell = true } end)
        flow.exec{ cmd = "echo a >> effects", shell = true }
        flow.exec{ cmd = "test -f fixed && echo b >> effects", shell = true }
        flow.signal("go")
        flow.exec{ cmd = "echo c >> effects", shell = true }
        return "done"
        """

    @Test("retry: a failed execution goes again from its failed step; earlier steps are not repeated; survives a crash")
    func retryFromTheFailedStep() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.redrivable)
        let first = try await sb.flow(["run", "w.lua", "--id", "r"])
        #expect(first.code == 1, "\(first)")
        #expect(sb.lines() == ["a", "comp"])

        try sb.write("fixed", "")
        let retry = try sb.start(["retry", "r", "--reason", "fixed the file", "--plain"])
        try await sb.waitForStatus("r", "waiting")
        #expect(sb.lines().contains("b"))
        // Killed during the retried part's wait: a plain resume finishes it.
        retry.send(SIGKILL)
        _ = await retry.wait()
        #expect(try await sb.flow(["signal", "r", "go"]).code == 0)
        let resume = try await sb.flow(["resume", "r"])
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.stdout.contains("done"), "\(resume)")
        #expect(sb.lines() == ["a", "comp", "b", "c"], "\(sb.lines())")
        #expect(try await sb.statusName("r") == "succeeded")
        let history = try await sb.history("r")
        let redrive = history.first { $0["kind"] as? String == "redriven" }
        let detail = redrive?["detail"] as? String ?? ""
        #expect(detail.contains("from step 2 by "), "\(detail)")
        #expect(detail.contains("fixed the file"), "\(detail)")
    }

    @Test("retry of a failure raised in Lua after a step re-runs that step (a gate measures again)")
    func retryRerunsTheStepTheScriptFailedOn() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo a >> effects", shell = true }
            local r = flow.exec{ cmd = "echo measured >> effects; test -f fixed && echo pass || echo fail", shell = true }
            if r.stdout:match("fail") then flow.fail("gate failed") end
            return "ok"
            """)
        #expect(try await sb.flow(["run", "w.lua", "--id", "g"]).code == 1)
        try sb.write("fixed", "")
        let retry = try await sb.flow(["retry", "g"])
        #expect(retry.code == 0, "\(retry)")
        #expect(sb.lines() == ["a", "measured", "measured"], "\(sb.lines())")
    }

    @Test("retry refuses an execution that succeeded or has not finished")
    func retryRefusals() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("ok.lua", "return 1")
        #expect(try await sb.flow(["run", "ok.lua", "--id", "ok"]).code == 0)
        let done = try await sb.flow(["retry", "ok"])
        #expect(done.code == 2 && done.stderr.contains("cannot be retried: it succeeded"), "\(done)")
        try sb.write("wait.lua", "flow.signal('go')")
        let run = try sb.start(["run", "wait.lua", "--id", "w"])
        try await sb.waitForStatus("w", "waiting")
        run.send(SIGINT)
        _ = await run.wait()
        let open = try await sb.flow(["retry", "w"])
        #expect(open.code == 2 && open.stderr.contains("has not finished (flow resume w carries it on)"), "\(open)")
    }
}
