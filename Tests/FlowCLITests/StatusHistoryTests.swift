import FlowWAL
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `flow status`, `flow list` and `flow history`: what scripts and people read.
@Suite("status, list and history")
struct StatusHistoryTests {
    static let script = """
        local p = flow.params{ greeting = "hi" }
        flow.exec{ cmd = "echo " .. p.greeting .. " >> effects", shell = true }
        local v = flow.step("compute", function() return 42 end)
        flow.signal("go")
        return { v = v }
        """

    @Test("status --json of a waiting, an interrupted and a finished execution")
    func statusJSON() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.script)
        let run = try sb.start(["run", "w.lua", "--id", "s", "--param", "greeting=hello"])

        let waiting = try await sb.waitForStatus("s", "waiting")
        for key in ["id", "workflow", "status", "started_at", "current_step", "steps", "driver"] {
            #expect(waiting[key] != nil, "status --json lacks '\(key)': \(waiting)")
        }
        #expect(waiting["id"] as? String == "s")
        #expect(waiting["workflow"] as? String == "w.lua")
        #expect(waiting["steps"] as? Int == 3)
        let current = try #require(waiting["current_step"] as? [String: Any])
        #expect(current["seq"] as? Int == 3)
        #expect(current["kind"] as? String == "signal")
        #expect(current["name"] as? String == "go")
        #expect(current["attempt"] as? Int == 1)
        #expect(current["location"] as? String == "w.lua:4")
        #expect(CrashResumeTests.date(waiting["started_at"]) != nil, "started_at is ISO 8601: \(waiting)")

        run.send(SIGKILL)
        #expect(await run.wait().killedBySIGKILL)
        let interrupted = try await sb.status("s")
        #expect(interrupted["status"] as? String == "interrupted")
        #expect(interrupted["driver"] is NSNull, "no process drives an interrupted execution")
        #expect((interrupted["current_step"] as? [String: Any])?["seq"] as? Int == 3)

        #expect(try await sb.flow(["signal", "s", "go"]).code == 0)
        let resume = try await sb.flow(["resume", "s", "--quiet"])
        #expect(resume.code == 0, "\(resume)")
        #expect(resume.stdout == "s\n{\"v\":42}\n", "stdout is the id, then the result as JSON: \(resume)")
        let done = try await sb.status("s")
        #expect(done["status"] as? String == "succeeded")
        #expect(CrashResumeTests.date(done["finished_at"]) != nil)
        #expect((done["result"] as? [String: Any])?["v"] as? Int == 42)

        let text = try await sb.flow(["status", "s"])
        #expect(text.code == 0)
        #expect(text.stdout.contains("status:    succeeded"), "\(text)")
    }

    @Test("list --json lists every execution with its status")
    func listJSON() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let empty = try await sb.flow(["list", "--json"])
        #expect(empty.code == 0, "\(empty)")
        #expect(try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as? [Any] != nil, "\(empty)")

        try sb.write("ok.lua", "return 1")
        try sb.write("bad.lua", "flow.fail('no')")
        try sb.write("wait.lua", "flow.signal('go')")
        #expect(try await sb.flow(["run", "ok.lua", "--id", "a-ok", "--quiet"]).code == 0)
        #expect(try await sb.flow(["run", "bad.lua", "--id", "b-bad", "--quiet"]).code == 1)
        let crashed = try await sb.flow(["run", "wait.lua", "--id", "c-int", "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:1"])
        #expect(crashed.killedBySIGKILL)
        let live = try sb.start(["run", "wait.lua", "--id", "d-live", "--quiet"])
        try await sb.waitForStatus("d-live", "waiting")

        let list = try await sb.flow(["list", "--json"])
        #expect(list.code == 0, "\(list)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        var statuses: [String: String] = [:]
        for row in rows {
            if let id = row["id"] as? String { statuses[id] = row["status"] as? String }
            #expect(row["workflow"] is String && row["started_at"] is String, "\(row)")
        }
        #expect(statuses == ["a-ok": "succeeded", "b-bad": "failed", "c-int": "interrupted", "d-live": "waiting"])

        let table = try await sb.flow(["list"])
        #expect(table.code == 0)
        #expect(table.stdout.split(separator: "\n").count == 5, "a header and 4 rows: \(table)")
        live.send(SIGKILL)
    }

    @Test("history --json has one entry per journal record, with seq, kind, name, time, attempt")
    func historyJSON() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.script)
        let crashed = try await sb.flow(["run", "w.lua", "--id", "h", "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:3"])
        #expect(crashed.killedBySIGKILL)
        #expect(try await sb.flow(["signal", "h", "go", "--data", "7"]).code == 0)
        #expect(try await sb.flow(["resume", "h", "--quiet"]).code == 0)

        let history = try await sb.history("h")
        let records = try WALReader.read(directory: sb.journalDirectory("h")).records
        #expect(history.count == records.count, "one entry per record")
        #expect(history.compactMap { $0["index"] as? Int } == Array(1...history.count))
        let kinds = history.compactMap { $0["kind"] as? String }
        #expect(kinds == ["started", "native.start", "completed", "step.start", "completed", "signal.start",
                          "resumed", "completed", "finished"], "\(kinds)")
        for entry in history {
            #expect(CrashResumeTests.date(entry["time"]) != nil, "every record has a time: \(entry)")
            let kind = entry["kind"] as? String ?? ""
            if kind.hasSuffix(".start") || kind == "completed" || kind == "failed" {
                #expect(entry["seq"] is Int && entry["attempt"] as? Int == 1, "\(entry)")
            }
            if kind.hasSuffix(".start") {
                #expect(entry["name"] is String && entry["location"] is String, "\(entry)")
            }
        }
        #expect(history.first?["name"] as? String == "w.lua")
        #expect((history.first?["args"] as? [String: Any]).map { $0.isEmpty } == true, "no parameters were given")
        #expect(history[3]["name"] as? String == "compute")
        #expect(history[4]["result"] as? Int == 42)
        #expect(history[5]["name"] as? String == "go")
        #expect(history[7]["result"] as? Int == 7, "the signal's data")
        #expect((history[7]["detail"] as? String)?.contains("inbox") == true)
        #expect(history[8]["name"] as? String == "succeeded")

        let table = try await sb.flow(["history", "h"])
        #expect(table.code == 0)
        #expect(table.stdout.split(separator: "\n").count == history.count + 1, "\(table)")
    }

    @Test("--json-events prints one JSON object per event on stderr; --quiet prints only the id and result")
    func jsonEventsAndQuiet() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo one >> effects", shell = true }
            flow.log("hello")
            return "done"
            """)
        let r = try await sb.flow(["run", "w.lua", "--id", "j", "--json-events"])
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout == "j\n\"done\"\n", "\(r)")
        let events = try r.stderr.split(separator: "\n").map { try Sandbox.object(String($0)) }
        let names = events.compactMap { $0["event"] as? String }
        #expect(names == ["started", "step_started", "step_succeeded", "log", "finished"], "\(r)")
        #expect(events.allSatisfy { $0["time"] is String })
        #expect(events.last?["status"] as? String == "succeeded")

        let quiet = try await sb.flow(["run", "w.lua", "--id", "q", "--quiet"])
        #expect(quiet.code == 0)
        #expect(quiet.stdout == "q\n\"done\"\n", "\(quiet)")
        #expect(quiet.stderr.isEmpty, "\(quiet)")
    }
}
