import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Output for machines: `flow run --events FILE|-` (one JSON line per event, matching the
/// journal) and `--output json` on every command that prints data.
@Suite("machine output")
struct MachineOutputTests {
    /// Every line of `text` parsed as a JSON object (a failure names the line).
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            do {
                return try Sandbox.object(String(line))
            } catch {
                throw HarnessError("not a JSON object line: \(line)")
            }
        }
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static let workflow = """
        flow.exec{ cmd = "echo one >> effects", shell = true }
        flow.step("two", function() return 2 end)
        flow.sleep(0.01)
        return "done"
        """

    /// The (seq, name) of every step intent in the journal, and the seqs of its completions.
    static func journalSteps(_ sb: Sandbox, _ id: String) async throws -> (started: [String], completed: [Int]) {
        let history = try await sb.history(id)
        let started = history.filter { ($0["kind"] as? String)?.hasSuffix(".start") == true && $0["kind"] as? String != "sleep.start" }
            .map { "\($0["seq"] as? Int ?? -1) \($0["name"] as? String ?? "?")" }
        let completed = history.filter { $0["kind"] as? String == "completed" }.compactMap { $0["seq"] as? Int }
        return (started, completed)
    }

    @Test("--events FILE: one JSON line per event, each with the id, matching the journal's steps; appended")
    func eventsFile() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.workflow)
        let r = try await sb.flow(["run", "w.lua", "--id", "e", "--events", "events.jsonl"])
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout == "e\n\"done\"\n", "\(r)")
        let events = try Self.jsonLines(sb.read("events.jsonl"))
        #expect(events.allSatisfy { $0["id"] as? String == "e" && $0["time"] is String }, "\(events)")
        #expect(events.first?["event"] as? String == "started")
        #expect(events.last?["event"] as? String == "finished" && events.last?["status"] as? String == "succeeded")
        #expect(events.last?["result"] as? String == "done")

        let journal = try await Self.journalSteps(sb, "e")
        let started = events.filter { $0["event"] as? String == "step_started" }
            .map { "\($0["seq"] as? Int ?? -1) \($0["name"] as? String ?? "?")" }
        let succeeded = events.filter { $0["event"] as? String == "step_succeeded" }.compactMap { $0["seq"] as? Int }
        #expect(started == journal.started, "events \(started), journal \(journal.started)")
        #expect(Set(succeeded).isSubset(of: Set(journal.completed)) && succeeded.count == journal.started.count,
                "events \(succeeded), journal \(journal.completed)")

        // A second run appends to the same file.
        let again = try await sb.flow(["run", "w.lua", "--id", "e2", "--events", "events.jsonl"])
        #expect(again.code == 0, "\(again)")
        let all = try Self.jsonLines(sb.read("events.jsonl"))
        #expect(all.count == events.count * 2, "\(all.count) lines")
        #expect(all.prefix(events.count).allSatisfy { $0["id"] as? String == "e" })
        #expect(all.suffix(events.count).allSatisfy { $0["id"] as? String == "e2" })
    }

    @Test("--events -: stdout holds only JSON lines; the id is the started line's, the result the finished line's")
    func eventsStdout() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.workflow)
        let r = try await sb.flow(["run", "w.lua", "--id", "o", "--events", "-"])
        #expect(r.code == 0, "\(r)")
        let events = try Self.jsonLines(r.stdout)
        #expect(events.first?["event"] as? String == "started" && events.first?["id"] as? String == "o", "\(r)")
        #expect(events.last?["event"] as? String == "finished" && events.last?["result"] as? String == "done", "\(r)")
        let journal = try await Self.journalSteps(sb, "o")
        let started = events.filter { $0["event"] as? String == "step_started" }
            .map { "\($0["seq"] as? Int ?? -1) \($0["name"] as? String ?? "?")" }
        #expect(started == journal.started, "events \(started), journal \(journal.started)")
        // Progress stays on stderr, as text.
        #expect(r.stderr.contains("flow: succeeded"), "\(r)")

        // A failed run: the finished line carries the error; stdout still only JSON.
        try sb.write("f.lua", #"flow.fail("nope")"#)
        let f = try await sb.flow(["run", "f.lua", "--id", "f", "--events", "-"])
        #expect(f.code == 1, "\(f)")
        let failed = try Self.jsonLines(f.stdout)
        #expect(failed.last?["status"] as? String == "failed", "\(f)")
        #expect((failed.last?["error"] as? [String: Any])?["name"] as? String == "Failed", "\(f)")
    }

    @Test("--events naming a file that cannot be opened is a usage error naming it, before anything runs")
    func eventsFileUnopenable() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.workflow)
        let path = sb.path("no-such-dir/events.jsonl")
        let r = try await sb.flow(["run", "w.lua", "--events", path])
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains(path), "\(r)")
        #expect(sb.executionIDs().isEmpty)
        #expect(!sb.exists("effects"))
    }

    @Test("--output json on status, list and history; --json is the same; both with --output text is refused")
    func inspectCommands() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.workflow)
        #expect(try await sb.flow(["run", "w.lua", "--id", "i"]).code == 0)
        for args in [["status", "i"], ["list"], ["history", "i"]] {
            for flag in [["--output", "json"], ["--json"]] {
                let r = try await sb.flow(args + flag)
                #expect(r.code == 0, "\(args + flag): \(r)")
                #expect((try? Self.json(r.stdout)) != nil, "\(args + flag) is not JSON: \(r)")
            }
            let text = try await sb.flow(args + ["--output", "text"])
            #expect(text.code == 0 && (try? Self.json(text.stdout)) == nil, "\(args): \(text)")
            let both = try await sb.flow(args + ["--json", "--output", "text"])
            #expect(both.code == 2, "\(args): \(both)")
            let bad = try await sb.flow(args + ["--output", "yaml"])
            #expect(bad.code == 2, "\(args): \(bad)")
        }
        let status = try Sandbox.object(try await sb.flow(["status", "i", "--output", "json"]).stdout)
        #expect(status["status"] as? String == "succeeded")
    }

    @Test("--output json on signal, cancel and abort")
    func requestCommands() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.on_failure(function() flow.exec{ cmd = "echo restored >> effects", shell = true } end)
            flow.signal("go")
            flow.signal("again")
            """)
        // signal, then cancel, while a live process drives the execution.
        let run = try sb.start(["run", "w.lua", "--id", "live"])
        try await sb.waitForStatus("live", "waiting", kind: "signal")
        let signal = try await sb.flow(["signal", "live", "go", "--output", "json"])
        #expect(signal.code == 0, "\(signal)")
        let sent = try Sandbox.object(signal.stdout)
        #expect(sent["id"] as? String == "live" && sent["signal"] as? String == "go" && sent["sent"] as? Bool == true, "\(signal)")
        try await sb.waitUntil("the second wait", timeout: .seconds(30)) { sb.inboxFiles("live").isEmpty }
        let cancel = try await sb.flow(["cancel", "live", "--output", "json"])
        #expect(cancel.code == 0, "\(cancel)")
        let cancelled = try Sandbox.object(cancel.stdout)
        #expect(cancelled["request"] as? String == "cancel" && cancelled["handled_by"] as? String == "driver", "\(cancel)")
        #expect(await run.wait(timeout: .seconds(60)).code == 6)

        // abort of an interrupted execution: this command drives the fail-back and reports the end.
        let second = try sb.start(["run", "w.lua", "--id", "idle"])
        try await sb.waitForStatus("idle", "waiting", kind: "signal")
        second.send(SIGKILL)
        _ = await second.wait()
        let abort = try await sb.flow(["abort", "idle", "--reason", "test", "--output", "json"])
        #expect(abort.code == 0, "\(abort)")
        let aborted = try Sandbox.object(abort.stdout)
        #expect(aborted["handled_by"] as? String == "this_process" && aborted["status"] as? String == "aborted", "\(abort)")
    }

    @Test("--output json on check, event test, event bench and bench")
    func toolCommands() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("ok.lua", Self.workflow)
        try sb.write("bad.lua", "os.execute('x')\n")
        let check = try await sb.flow(["check", "ok.lua", "bad.lua", "--output", "json"])
        #expect(check.code == 2, "\(check)")
        let reports = try #require(try Self.json(check.stdout) as? [[String: Any]], "\(check)")
        #expect(reports.map { $0["ok"] as? Bool } == [true, false], "\(check)")
        #expect((reports[1]["problems"] as? [String])?.first?.hasPrefix("bad.lua:1:") == true, "\(check)")

        try sb.write("p.json", #"{"source":["aws.ecs"]}"#)
        try sb.write("e.json", #"{"source":"aws.ecs","detail-type":"x","detail":{}}"#)
        try sb.write("n.json", #"{"source":"aws.ec2","detail-type":"x","detail":{}}"#)
        let match = try await sb.flow(["event", "test", "--pattern", "p.json", "--event", "e.json", "--output", "json"], home: false)
        let matched = try? Sandbox.object(match.stdout)
        #expect(match.code == 0 && matched?["match"] as? Bool == true, "\(match)")
        let miss = try await sb.flow(["event", "test", "--pattern", "p.json", "--event", "n.json", "--json"], home: false)
        let missed = try? Sandbox.object(miss.stdout)
        #expect(miss.code == 1 && missed?["match"] as? Bool == false, "\(miss)")

        let eventBench = try await sb.flow(["event", "bench", "--events", "500", "--runs", "1", "--output", "json"], home: false)
        #expect(eventBench.code == 0, "\(eventBench)")
        let rates = try? Sandbox.object(eventBench.stdout)
        #expect(rates?["one_pattern_per_second"] is Int, "\(eventBench)")

        let bench = try await sb.flow(["bench", "--steps", "5", "--replay-steps", "20", "--runs", "1", "--dir", sb.path("bench"),
                                       "--output", "json"], home: false, timeout: .seconds(120))
        #expect(bench.code == 0, "\(bench)")
        let report = try Sandbox.object(bench.stdout)
        #expect(report["goals"] is [Any], "\(bench)")
    }
}
