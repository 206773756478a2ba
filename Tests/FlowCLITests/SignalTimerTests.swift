import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Timers, signals, Ctrl-C and SIGTERM, seen from the command line.
@Suite("signals and timers")
struct SignalTimerTests {
    @Test("Ctrl-C during flow.sleep exits 130 at once; resume sleeps only the rest")
    func ctrlCDuringSleep() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo before >> effects", shell = true }
            flow.sleep(20)
            flow.exec{ cmd = "echo after >> effects", shell = true }
            """)
        let t0 = ContinuousClock.now
        let run = try sb.start(["run", "w.lua", "--id", "c"])
        try await sb.waitForStatus("c", "waiting")
        // Interrupted at least 10 s into the 20 s sleep, at most 10 s are left: the 17 s bound on the
        // resume leaves a machine that stalls processes for seconds (CI saw 7.6 s) room to start it,
        // and still fails one that sleeps all 20 s again.
        let killAt = t0 + .milliseconds(10_000)
        if ContinuousClock.now < killAt { try await Task.sleep(until: killAt) }
        let sent = ContinuousClock.now
        run.send(SIGINT)
        let interrupted = await run.wait()
        #expect(interrupted.code == 130, "\(interrupted)")
        // Far below the 10 s left of the sleep, with room for a stalled machine.
        #expect((ContinuousClock.now - sent).seconds < 6, "Ctrl-C took too long to stop the run")
        #expect(interrupted.stderr.contains("flow resume"), "the message tells how to continue: \(interrupted)")
        #expect(try await sb.statusName("c") == "interrupted")

        let resume = try await sb.flow(["resume", "c"])
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.seconds < 17, "\(resume)")
        #expect((ContinuousClock.now - t0).seconds >= 20.0)
        expectEffects(sb, once: ["before", "after"])
    }

    @Test("SIGTERM interrupts like Ctrl-C and leaves the execution resumable")
    func sigtermInterrupts() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local d = flow.signal("go")
            flow.exec{ cmd = "echo done >> effects", shell = true }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "t", "--quiet"])
        try await sb.waitForStatus("t", "waiting")
        run.send(SIGTERM)
        let r = await run.wait(timeout: .seconds(5))
        #expect(r.code == 130, "\(r)")
        #expect(try await sb.statusName("t") == "interrupted")
        #expect(try await sb.flow(["signal", "t", "go"]).code == 0)
        #expect(try await sb.flow(["resume", "t"]).code == 0)
        expectEffects(sb, once: ["done"])
    }

    @Test("signals wait in the inbox until taken, are taken in order, each once")
    func signalsAreKeptAndTakenInOrder() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.signal("ready")
            local a = flow.signal("go")
            local b = flow.signal("go")
            local c, err = flow.signal("go", { timeout = 0.3 })
            local other = flow.signal("other", { timeout = 0.1 })
            return { a = a.v, b = b.v, c = err, other = other == nil }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "s", "--quiet"])
        try await sb.waitForStatus("s", "waiting")
        // Both arrive while the workflow waits for another signal, before any flow.signal("go")
        // call, however slowly the commands start (a 0.5 s sleep here was a window a stalled
        // machine could miss, and the test then passed without testing the inbox).
        #expect(try await sb.flow(["signal", "s", "go", "--data", #"{"v":1}"#]).code == 0)
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await sb.flow(["signal", "s", "go", "--data", #"{"v":2}"#]).code == 0)
        #expect(sb.inboxFiles("s").count == 2)
        #expect(try await sb.flow(["signal", "s", "ready"]).code == 0)
        let r = await run.wait()
        #expect(r.code == 0, "\(r)")
        let result = try #require(try await sb.status("s")["result"] as? [String: Any])
        #expect(result["a"] as? Int == 1)
        #expect(result["b"] as? Int == 2)
        #expect(result["c"] as? String == "timeout")
        #expect(result["other"] as? Bool == true)
        #expect(sb.inboxFiles("s").isEmpty)
    }

    @Test("a signal to a finished execution is refused with exit 2")
    func signalToFinished() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", "return 1")
        #expect(try await sb.flow(["run", "w.lua", "--id", "f", "--quiet"]).code == 0)
        let before = sb.snapshotHome()
        let r = try await sb.flow(["signal", "f", "go"])
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains("already finished"), "\(r)")
        #expect(sb.snapshotHome().changes(since: before).isEmpty, "the home changed: \(sb.snapshotHome().changes(since: before))")
    }

    @Test("flow.now, flow.random and os.time replay the recorded values after a crash")
    func journaledValuesReplay() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local t = flow.now()
            local r = flow.random(1, 1000000000)
            local o = os.time()
            local line = "echo " .. t .. " " .. r .. " " .. o .. " >> effects"
            flow.exec{ cmd = line, shell = true }
            flow.exec{ cmd = line, shell = true }
            """)
        // Killed after the first exec: the resume, a second later, replays t, r and o from the
        // journal instead of asking the clock and the dice again.
        let run = try await sb.flow(["run", "w.lua", "--id", "d", "--quiet"], env: ["FLOW_CRASH_AT": "after-outcome:4"])
        #expect(run.killedBySIGKILL, "\(run)")
        try await Task.sleep(for: .milliseconds(1050))
        #expect(try await sb.flow(["resume", "d"]).code == 0)
        let lines = sb.lines()
        #expect(lines.count == 2)
        #expect(Set(lines).count == 1, "replayed values differ: \(lines)")
    }

    @Test("Ctrl-C during a running flow.exec kills its process, exits 130; resume runs the step again")
    func ctrlCDuringExec() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo started $$ >> running; [ $(wc -l < running) -ge 2 ] || exec sleep 20", shell = true }
            flow.exec{ cmd = "echo after >> effects", shell = true }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "x", "--quiet"])
        try await sb.waitUntil("the step to start") { sb.read("running").contains("started") }
        let child = try #require(sb.lines("running").first?.split(separator: " ").last.flatMap { pid_t($0) })
        sb.adopt(child)
        run.send(SIGINT)
        let r = await run.wait(timeout: .seconds(5))
        #expect(r.code == 130, "\(r)")
        try await sb.waitUntil("the step's process to be killed", timeout: .seconds(3)) {
            kill(child, 0) != 0 || CompensationTests.isZombie(child)
        }
        #expect(try await sb.statusName("x") == "interrupted")
        let resume = try await sb.flow(["resume", "x"])
        #expect(resume.code == 0, "\(resume)")
        #expect(sb.lines("running").count == 2)
        expectEffects(sb, once: ["after"])
    }

    @Test("a flow.exec timeout kills the process and raises a catchable Timeout error")
    func execTimeout() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local ok, err = pcall(flow.exec, { cmd = "echo started $$ >> running; exec sleep 60", shell = true, timeout = 0.3 })
            flow.exec{ cmd = { "sh", "-c", "echo " .. tostring(ok) .. " " .. err.name .. " >> effects" } }
            """)
        let r = try await sb.flow(["run", "w.lua", "--id", "t"])
        #expect(r.code == 0, "\(r)")
        // Far below the 60 s sleep: CI once stalled this run 7.6 s, so the bound is not tight.
        #expect(r.seconds < 30, "\(r)")
        expectEffects(sb, once: ["false Timeout"])
        let child = try #require(sb.lines("running").first?.split(separator: " ").last.flatMap { pid_t($0) })
        sb.adopt(child)
        #expect(kill(child, 0) != 0 || CompensationTests.isZombie(child), "the timed-out process still runs")
    }
}
