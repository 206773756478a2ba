import FlowWAL
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One execution, one driving process: concurrent resumers are refused with exit 3.
@Suite("locking")
struct LockingTests {
    @Test("two resumers at once: exactly one drives the execution, the other exits 3")
    func twoResumers() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo before >> effects", shell = true }
            flow.sleep(25)
            flow.exec{ cmd = "echo after >> effects", shell = true }
            """)
        // A 25 s sleep: a loaded machine once took more than 10 s to see it waiting and kill it.
        let run = try sb.start(["run", "w.lua", "--id", "l", "--quiet"])
        try await sb.waitForStatus("l", "waiting")
        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)

        let a = try sb.start(["resume", "l"])
        let b = try sb.start(["resume", "l"])
        let ra = await a.wait()
        let rb = await b.wait()
        let codes = [ra.code, rb.code].compactMap { $0 }.sorted()
        #expect(codes == [0, 3], "\(ra)\n\(rb)")
        let loser = ra.code == 3 ? ra : rb
        #expect(loser.stderr.contains("locked by"), "\(loser)")
        #expect(loser.stdout.isEmpty, "the refused resumer prints no id: \(loser)")
        expectEffects(sb, once: ["before", "after"])
        #expect(try await sb.statusName("l") == "succeeded")
        let history = try await sb.history("l")
        #expect(history.filter { $0["kind"] as? String == "resumed" }.count == 1, "only the winner journals")
    }

    @Test("`flow resume` while the original `flow run` is alive exits 3 naming its pid")
    func resumeWhileRunning() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.signal("go")
            flow.exec{ cmd = "echo once >> effects", shell = true }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "r", "--quiet"])
        let waiting = try await sb.waitForStatus("r", "waiting")
        #expect((waiting["driver"] as? String)?.contains("pid=\(run.pid)") == true, "status names the driver: \(waiting)")
        let before = sb.bytes(sb.segment("r"))
        let resume = try await sb.flow(["resume", "r"])
        #expect(resume.code == 3, "\(resume)")
        #expect(resume.stderr.contains("locked by pid \(run.pid) "), "\(resume)")
        #expect(sb.bytes(sb.segment("r")) == before, "the refused resume wrote nothing")
        let all = try await sb.flow(["resume", "--all"])
        #expect(all.code == 0, "`resume --all` leaves alone executions that are driven: \(all)")
        #expect(sb.bytes(sb.segment("r")) == before)
        #expect(run.isRunning)
        #expect(try await sb.flow(["signal", "r", "go"]).code == 0)
        let r = await run.wait()
        #expect(r.code == 0, "\(r)")
        expectEffects(sb, once: ["once"])
    }

    /// The holder writes its details into the lock file only after it has the lock, so a
    /// process refused in between reads an empty file, or the stale details a SIGKILLed
    /// holder left behind (naming a dead pid). Repeats the race to catch that window.
    @Test("the refused resumer always names the live holder's pid")
    func lockedMessageNamesTheLiveHolder() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        // The winner waits for a signal, so it holds the lock however slow the loser starts.
        try sb.write("w.lua", "flow.signal(\"go\")")
        var problems: [String] = []
        for batch in 0..<5 {
            var rounds: [(id: String, a: FlowProcess, b: FlowProcess)] = []
            for i in 0..<5 {
                let id = "race-\(batch)-\(i)"
                let crashed = try await sb.flow(["run", "w.lua", "--id", id, "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:1"])
                #expect(crashed.killedBySIGKILL, "\(crashed)")
                rounds.append((id, try sb.start(["resume", id, "--quiet"]), try sb.start(["resume", id, "--quiet"])))
            }
            for (id, a, b) in rounds {
                try await sb.waitUntil("one of the resumers of \(id) to give up") { !a.isRunning || !b.isRunning }
                let (loser, winner) = a.isRunning ? (b, a) : (a, b)
                #expect(try await sb.flow(["signal", id, "go"]).code == 0)
                let rw = await winner.wait()
                let rl = await loser.wait()
                guard rw.code == 0, rl.code == 3 else {
                    problems.append("\(id): not one winner and one refusal: \(rw)\n\(rl)")
                    continue
                }
                if !rl.stderr.contains("locked by pid \(winner.pid) ") {
                    problems.append("\(id): the holder is pid \(winner.pid), the refused resumer said: \(rl.stderr)")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) of 25 refusals did not name the holder:\n\(problems.joined(separator: "\n"))")
    }

    /// `flow status` finds out whether a process drives an execution by taking its lock for an
    /// instant; a `flow resume` starting at that instant is refused as if the execution were
    /// driven. Probes like `flow status` do (FileLock.holder) while resuming repeatedly.
    @Test("a concurrent `flow status` never makes `flow resume` fail with 'locked'")
    func statusProbeDoesNotLockOutResume() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", "return 1")
        #expect(try await sb.flow(["run", "w.lua", "--id", "done", "--quiet"]).code == 0)
        let lockPath = sb.executionDirectory("done") + "/lock"
        let stop = StopFlag()
        let prober = Thread {
            while !stop.isSet { _ = FileLock.holder(path: lockPath) }
        }
        prober.start()
        defer { stop.set() }
        var refused: [CLIResult] = []
        for _ in 0..<40 {
            // Resuming a finished execution takes the lock, reads the journal and exits 0.
            let r = try await sb.flow(["resume", "done", "--quiet"])
            if r.code != 0 { refused.append(r) }
        }
        stop.set()
        #expect(refused.isEmpty, "\(refused.count) of 40 resumes were refused while `flow status` probed:\n\(refused.first.map { "\($0)" } ?? "")")
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
