import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL at exact points of the journaling protocol (FLOW_CRASH_AT) and from outside, then
/// `flow resume`: completed steps never run again, the in-flight one at most once more.
@Suite("crash and resume")
struct CrashResumeTests {
    static let steps = (1...6).map { "s\($0)" }

    @Test("SIGKILL right after the start record, then resume runs every step once")
    func crashAfterStarted() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(6))

        let run = try await sb.flow(["run", "w.lua", "--id", "early"], env: ["FLOW_CRASH_AT": "after-started:0"])
        #expect(run.killedBySIGKILL, "\(run)")
        #expect(sb.lines().isEmpty)
        #expect(try await sb.statusName("early") == "interrupted")

        let resume = try await sb.flow(["resume", "early"])
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.firstLine == "early")
        #expect(resume.stdout.contains("\"done\""), "\(resume)")
        expectEffects(sb, once: Self.steps)
        #expect(try await sb.statusName("early") == "succeeded")
    }

    @Test("SIGKILL at each protocol point of each exec step, then resume: exactly once",
          arguments: ["before-intent", "after-intent", "after-outcome"], 1...6)
    func crashLoop(point: String, seq: Int) async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(6))
        let id = "crash-\(point)-\(seq)"

        let run = try await sb.flow(["run", "w.lua", "--id", id, "--quiet"], env: ["FLOW_CRASH_AT": "\(point):\(seq)"])
        #expect(run.killedBySIGKILL, "\(run)")
        #expect(run.firstLine == id, "the id is printed before the first step: \(run)")
        // What happened before the crash: the steps before `seq`, and `seq` itself only when
        // the crash came after its outcome was journaled.
        let before = (1..<seq).map { "s\($0)" } + (point == "after-outcome" ? ["s\(seq)"] : [])
        #expect(sb.lines() == before, "effects at the crash")
        #expect(try await sb.statusName(id) == "interrupted")

        let resume = try await sb.flow(["resume", id])
        #expect(resume.code == 0, "\(resume)")
        expectEffects(sb, once: Self.steps, inFlight: point == "after-intent" ? "s\(seq)" : nil)
        if point == "after-intent" {
            #expect(resume.stderr.contains("was in flight"), "a re-run of an in-flight step is announced: \(resume)")
        }

        let status = try await sb.status(id)
        #expect(status["status"] as? String == "succeeded")
        #expect(status["result"] as? String == "done")
        let history = try await sb.history(id)
        #expect(history.filter { $0["kind"] as? String == "resumed" }.count == 1)
        for s in 1...6 {
            let done = history.filter { $0["kind"] as? String == "completed" && $0["seq"] as? Int == s }
            #expect(done.count == 1, "seq \(s) has \(done.count) completed records")
        }
        #expect(history.last?["kind"] as? String == "finished")
    }

    @Test("SIGKILL while a flow.exec process runs, then resume re-runs only that step")
    func killDuringRunningExec() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        // The second run of the long step does not sleep, so the resume is quick; `exec sleep`
        // makes the pid written to the file the sleeping process, to kill it when flow dies
        // (it is in its own process group and outlives flow).
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo one >> effects", shell = true }
            flow.exec{ cmd = "echo started $$ >> running; echo long >> effects; [ $(wc -l < running) -ge 2 ] || exec sleep 5", shell = true }
            flow.exec{ cmd = "echo three >> effects", shell = true }
            return "done"
            """)
        let run = try sb.start(["run", "w.lua", "--id", "x", "--quiet"])
        try await sb.waitUntil("the long step to start") { sb.read("running").contains("started") }
        let child = sb.lines("running").first.flatMap { $0.split(separator: " ").last.flatMap { pid_t($0) } }
        if let child { sb.adopt(child) }
        run.send(SIGKILL)
        let killed = await run.wait()
        #expect(killed.killedBySIGKILL, "\(killed)")
        if let child { kill(child, SIGKILL) }
        #expect(try await sb.statusName("x") == "interrupted")

        let resume = try await sb.flow(["resume", "x"])
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.stderr.contains("was in flight"), "\(resume)")
        #expect(sb.lines("running").count == 2, "the in-flight step ran again: \(sb.lines("running"))")
        expectEffects(sb, once: ["one", "long", "three"], inFlight: "long")
        #expect(try await sb.statusName("x") == "succeeded")
    }

    @Test("SIGKILL during flow.sleep(20): the resume waits only the time that is left")
    func killDuringSleep() async throws {
        // 5 s, so a status poll on a busy machine still sees the sleep.
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo before >> effects", shell = true }
            flow.sleep(20)
            flow.exec{ cmd = "echo after >> effects", shell = true }
            """)
        let t0 = ContinuousClock.now
        let run = try sb.start(["run", "w.lua", "--id", "nap", "--quiet"])
        let waiting = try await sb.waitForStatus("nap", ["waiting"])
        let current = waiting["current_step"] as? [String: Any]
        #expect(current?["kind"] as? String == "sleep")
        #expect(current?["waiting_until"] is String)
        // Killed at least 10 s into the 20 s sleep: the 17 s bound leaves a machine that stalls
        // processes for seconds room to start the resume, and still fails one that sleeps all 20 s again.
        let killAt = t0 + .milliseconds(10_000)
        if ContinuousClock.now < killAt { try await Task.sleep(until: killAt) }
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)
        #expect(try await sb.statusName("nap") == "interrupted")
        #expect(sb.lines() == ["before"])

        let resume = try await sb.flow(["resume", "nap"])
        let total = ContinuousClock.now - t0
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.seconds < 17, "the resume slept the full time again: \(resume)")
        #expect(total.seconds >= 20.0, "the sleep was cut short: \(total)")
        expectEffects(sb, once: ["before", "after"])

        let status = try await sb.status("nap")
        let started = try #require(Self.date(status["started_at"]))
        let finished = try #require(Self.date(status["finished_at"]))
        #expect(finished.timeIntervalSince(started) >= 10.0, "journal: \(started) -> \(finished)")
    }

    @Test("SIGKILL while waiting for a signal; the signal sent meanwhile is delivered exactly once")
    func killWhileWaitingForSignal() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local d = flow.signal("go")
            flow.exec{ cmd = { "sh", "-c", "echo got " .. d.v .. " >> effects" } }
            local again, err = flow.signal("go", { timeout = 0.2 })
            return { v = d.v, again = err }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "sig", "--quiet"])
        let waiting = try await sb.waitForStatus("sig", ["waiting"])
        #expect((waiting["current_step"] as? [String: Any])?["kind"] as? String == "signal")
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)

        let send = try await sb.flow(["signal", "sig", "go", "--data", #"{"v":1}"#])
        #expect(send.code == 0, "\(send)")
        #expect(sb.inboxFiles("sig").count == 1)
        #expect(try await sb.statusName("sig") == "interrupted", "sending a signal does not drive the execution")

        let resume = try await sb.flow(["resume", "sig"])
        #expect(resume.code == 0, "\(resume)")
        expectEffects(sb, once: ["got 1"])
        let status = try await sb.status("sig")
        #expect(status["status"] as? String == "succeeded")
        let result = status["result"] as? [String: Any]
        #expect(result?["v"] as? Int == 1)
        #expect(result?["again"] as? String == "timeout", "the signal was delivered twice: \(String(describing: result))")
        #expect(sb.inboxFiles("sig").isEmpty, "the taken signal left the inbox")
        let history = try await sb.history("sig")
        let taken = history.filter { $0["kind"] as? String == "completed" && $0["seq"] as? Int == 1 }
        #expect(taken.count == 1)
        #expect((taken.first?["result"] as? [String: Any])?["v"] as? Int == 1)

        // Resuming a finished execution does nothing and says so.
        let again = try await sb.flow(["resume", "sig"])
        #expect(again.code == 0, "\(again)")
        #expect(again.stderr.contains("already finished"), "\(again)")
        expectEffects(sb, once: ["got 1"])
    }

    @Test("SIGKILL after the intent of a sleep and of a signal wait")
    func crashAfterWaitIntents() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo a >> effects", shell = true }
            flow.sleep(0.3)
            local d = flow.signal("go")
            flow.exec{ cmd = { "sh", "-c", "echo b " .. tostring(d) .. " >> effects" } }
            """)
        let first = try await sb.flow(["run", "w.lua", "--id", "w", "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:2"])
        #expect(first.killedBySIGKILL, "\(first)")
        let second = try await sb.flow(["resume", "w", "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:3"])
        #expect(second.killedBySIGKILL, "\(second)")
        #expect(try await sb.statusName("w") == "interrupted")
        #expect(try await sb.flow(["signal", "w", "go"]).code == 0)
        let last = try await sb.flow(["resume", "w"])
        #expect(last.code == 0, "\(last)")
        expectEffects(sb, once: ["a", "b true"])
        let history = try await sb.history("w")
        #expect(history.filter { $0["kind"] as? String == "resumed" }.count == 2)
        #expect(history.filter { ($0["kind"] as? String)?.hasSuffix(".start") == true && $0["seq"] as? Int == 2 }.count == 1,
                "the sleep's intent is not written twice")
    }

    @Test("`flow resume --all` resumes every interrupted execution")
    func resumeAll() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(3))
        for (id, seq) in [("one", 1), ("two", 3)] {
            let r = try await sb.flow(["run", "w.lua", "--id", id, "--quiet"], env: ["FLOW_CRASH_AT": "after-outcome:\(seq)"])
            #expect(r.killedBySIGKILL, "\(r)")
        }
        let done = try await sb.flow(["run", "w.lua", "--id", "three", "--quiet"])
        #expect(done.code == 0)
        let all = try await sb.flow(["resume", "--all", "--quiet"])
        #expect(all.code == 0, "\(all)")
        for id in ["one", "two", "three"] { #expect(try await sb.statusName(id) == "succeeded") }
        let lines = sb.lines()
        for s in ["s1", "s2", "s3"] { #expect(lines.filter { $0 == s }.count == 3, "\(s) in \(lines)") }
    }

    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }
}
