import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Retry policies on flow.exec: attempts are journaled, the backoff survives a crash.
@Suite("retry")
struct RetryTests {
    /// An exec step that fails until it has been tried `succeedOn` times (counted in `tries`).
    static func script(succeedOn: Int) -> String {
        """
        local p = flow.params{ max = 3, initial = 0.1 }
        local r = flow.exec{
          cmd = "echo try >> tries; [ $(wc -l < tries) -ge \(succeedOn) ]", shell = true,
          retry = { max_attempts = p.max, initial = p.initial, jitter = "none" },
        }
        flow.exec{ cmd = "echo after >> effects", shell = true }
        return r.code
        """
    }

    @Test("a step that fails twice succeeds on attempt 3; the history shows attempts 1...3")
    func succeedsOnThirdAttempt() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.script(succeedOn: 3))
        let r = try await sb.flow(["run", "w.lua", "--id", "r"])
        #expect(r.code == 0, "\(r)")
        #expect(sb.lines("tries").count == 3)
        #expect(r.stderr.contains("(attempt 3)"), "\(r)")
        expectEffects(sb, once: ["after"])

        let history = try await sb.history("r")
        let starts = history.filter { $0["kind"] as? String == "native.start" && $0["seq"] as? Int == 1 }
        #expect(starts.compactMap { $0["attempt"] as? Int } == [1, 2, 3])
        let failures = history.filter { $0["kind"] as? String == "failed" }
        #expect(failures.compactMap { $0["attempt"] as? Int } == [1, 2])
        #expect(failures.allSatisfy { $0["retry_at"] is String }, "failed attempts name their retry time")
        #expect(failures.allSatisfy { ($0["error"] as? [String: Any])?["name"] as? String == "NonZeroExit" })
        let completed = history.filter { $0["kind"] as? String == "completed" && $0["seq"] as? Int == 1 }
        #expect(completed.first?["attempt"] as? Int == 3)
    }

    @Test("with max_attempts = 2 the step fails for good: exit 1")
    func exhaustedFails() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.script(succeedOn: 3))
        let r = try await sb.flow(["run", "w.lua", "--id", "r", "--param", "max=2"])
        #expect(r.code == 1, "\(r)")
        #expect(r.stderr.contains("NonZeroExit"), "\(r)")
        #expect(sb.lines("tries").count == 2)
        #expect(!sb.exists("effects"))
        let history = try await sb.history("r")
        let failures = history.filter { $0["kind"] as? String == "failed" }
        #expect(failures.compactMap { $0["attempt"] as? Int } == [1, 2])
        #expect(failures.last?["retry_at"] == nil, "the last attempt has no retry")
        #expect(try await sb.statusName("r") == "failed")
    }

    @Test("SIGKILL during the backoff: the resume waits only what is left of it")
    func crashDuringBackoff() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.script(succeedOn: 2))
        let t0 = ContinuousClock.now
        // A 20 s backoff: wide enough that a status poll sees it even when the machine is busy.
        let run = try sb.start(["run", "w.lua", "--id", "r", "--param", "initial=20", "--quiet"])
        let waiting = try await sb.waitForStatus("r", "waiting")
        let current = waiting["current_step"] as? [String: Any]
        #expect(current?["attempt"] as? Int == 1)
        #expect(current?["waiting_until"] is String, "the status says when the retry is due: \(waiting)")
        // Killed at least 10 s in, at most 10 s are left: the 17 s bound leaves a machine that stalls
        // processes for seconds room to start the resume, and still fails one that waits all 20 s again.
        let killAt = t0 + .milliseconds(10_000)
        if ContinuousClock.now < killAt { try await Task.sleep(until: killAt) }
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)
        #expect(sb.lines("tries").count == 1)

        let resume = try await sb.flow(["resume", "r"])
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.seconds < 17, "the resume waited the whole backoff again: \(resume)")
        #expect(sb.lines("tries").count == 2)
        expectEffects(sb, once: ["after"])
        let history = try await sb.history("r")
        let starts = history.filter { $0["kind"] as? String == "native.start" && $0["seq"] as? Int == 1 }
        #expect(starts.compactMap { $0["attempt"] as? Int } == [1, 2])
        let due = try #require(CrashResumeTests.date(history.first { $0["kind"] as? String == "failed" }?["retry_at"]))
        let second = try #require(CrashResumeTests.date(starts.last?["time"]))
        #expect(second >= due, "attempt 2 started at \(second), before its backoff ended at \(due)")
    }

    @Test("a pure flow.step with retries is journaled per attempt and replayed after a crash")
    func pureStepRetry() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local n = 0
            local v = flow.step("flaky", function()
              n = n + 1
              if n < 2 then error("not yet") end
              return n
            end, { retry = { max_attempts = 3, initial = 0.05, jitter = "none" } })
            flow.exec{ cmd = "echo got " .. v .. " >> effects", shell = true }
            flow.signal("go")
            flow.exec{ cmd = "echo end " .. v .. " >> effects", shell = true }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "p", "--quiet"])
        // Not the wait of the retry backoff: the exec after it could be caught in flight.
        try await sb.waitForStatus("p", "waiting", kind: "signal")
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)
        #expect(try await sb.flow(["signal", "p", "go"]).code == 0)
        // On replay the step's function is not called: its journaled result (2) comes back,
        // although a fresh call would return 1 and fail.
        let r = try await sb.flow(["resume", "p"])
        #expect(r.code == 0, "\(r)")
        expectEffects(sb, once: ["got 2", "end 2"])
    }
}
