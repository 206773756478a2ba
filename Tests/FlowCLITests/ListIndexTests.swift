import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `flow list` reads finished executions from `HOME/index`: it must print what reading every
/// journal prints, whatever state the index is in and whoever finished the executions.
@Suite("list index")
struct ListIndexTests {
    static let ok = """
        local a = flow.step("a", function() return { n = 1.5, list = { 1, "two", true }, text = "é \\"q\\" / s" } end)
        return { a = a, big = 9007199254740993 }
        """
    static let bad = """
        flow.step("a", function() return 1 end)
        flow.on_failure(function() flow.step("undo", function() return 0 end) end)
        flow.fail("no good")
        """
    static let wait = "flow.step('a', function() return 1 end)\nreturn flow.signal('go')"
    static let busy = "flow.exec{ cmd = 'sleep 60', shell = true }"

    /// `flow list` and `flow list --json`: stdout and stderr of each.
    static func lists(_ sb: Sandbox) async throws -> [String] {
        var out: [String] = []
        for args in [["list"], ["list", "--json"]] {
            let r = try await sb.flow(args)
            #expect(r.code == 0, "\(r)")
            out += [r.stdout, r.stderr]
        }
        return out
    }

    @Test("list and list --json print the same bytes with the index, without it, and with it damaged")
    func sameOutput() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("ok.lua", Self.ok)
        try sb.write("bad.lua", Self.bad)
        try sb.write("wait.lua", Self.wait)
        try sb.write("busy.lua", Self.busy)
        #expect(try await sb.flow(["run", "ok.lua", "--id", "a-ok", "--quiet"]).code == 0)
        #expect(try await sb.flow(["run", "ok.lua", "--quiet"]).code == 0)
        #expect(try await sb.flow(["run", "bad.lua", "--id", "b-failed", "--quiet"]).code == 1)
        for id in ["c-cancelled", "d-aborted", "e-interrupted"] {
            let crashed = try await sb.flow(["run", "wait.lua", "--id", id, "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:2"])
            #expect(crashed.killedBySIGKILL, "\(crashed)")
        }
        // Finished by the processes that deliver the requests, not by the ones that started them.
        _ = try await sb.flow(["cancel", "c-cancelled", "--reason", "not today"])
        _ = try await sb.flow(["abort", "d-aborted"])
        let waiting = try sb.start(["run", "wait.lua", "--id", "f-waiting", "--quiet"])
        let running = try sb.start(["run", "busy.lua", "--id", "g-running", "--quiet"])
        defer {
            waiting.send(SIGKILL)
            running.send(SIGKILL)
        }
        try await sb.waitForStatus("f-waiting", "waiting")
        try await sb.waitForStatus("g-running", "running")
        try FileManager.default.createDirectory(atPath: sb.journalDirectory("z-broken"), withIntermediateDirectories: true)

        let indexPath = sb.home + "/index"
        let withIndex = try await Self.lists(sb)
        for status in ["succeeded", "failed", "cancelled", "aborted", "interrupted", "waiting", "running"] {
            #expect(withIndex[0].contains(" \(status) "), "\(status) is listed: \(withIndex[0])")
        }
        #expect(withIndex[1].contains("z-broken:"), "the broken one is reported: \(withIndex[1])")
        let healthy = sb.bytes(indexPath)
        #expect(healthy.count > 100, "the finished executions were indexed")

        try FileManager.default.removeItem(atPath: indexPath)
        #expect(try await Self.lists(sb) == withIndex, "without an index")
        #expect(try await Self.lists(sb) == withIndex, "with the index the last list rebuilt")

        var noise = [UInt8](repeating: 0, count: 700)
        for i in noise.indices { noise[i] = UInt8.random(in: 0...255) }
        var flipped = healthy
        flipped[healthy.count / 2] ^= 0xff
        let damaged: [(String, [UInt8])] = [
            ("cut in half", Array(healthy.prefix(healthy.count / 2))),
            ("a torn last record", Array(healthy.dropLast(3))),
            ("a byte flipped", flipped),
            ("random bytes", noise),
            ("random bytes inside", Array(healthy.prefix(healthy.count / 3)) + noise + healthy.suffix(healthy.count / 3)),
        ]
        for (what, bytes) in damaged {
            try sb.writeBytes(indexPath, bytes)
            #expect(try await Self.lists(sb) == withIndex, "\(what)")
            #expect(try await Self.lists(sb) == withIndex, "\(what), then repaired")
        }
    }

    @Test("a retried execution is never listed with the status it had before the retry")
    func retryIsNotStale() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo a >> effects", shell = true }
            flow.exec{ cmd = "test -f fixed", shell = true }
            return flow.signal("go")
            """)
        #expect(try await sb.flow(["run", "w.lua", "--id", "r", "--quiet"]).code == 1)
        #expect(try await Self.status(sb, "r") == "failed")
        try sb.write("fixed", "")
        let retry = try sb.start(["retry", "r", "--quiet"])
        try await sb.waitForStatus("r", "waiting")
        #expect(try await Self.status(sb, "r") == "waiting")
        retry.send(SIGKILL)
        _ = await retry.wait()
        #expect(try await Self.status(sb, "r") == "interrupted")
        #expect(try await sb.flow(["signal", "r", "go"]).code == 0)
        #expect(try await sb.flow(["resume", "r", "--quiet"]).code == 0)
        #expect(try await Self.status(sb, "r") == "succeeded")
    }

    /// The status `flow list --json` gives `id`.
    static func status(_ sb: Sandbox, _ id: String) async throws -> String? {
        let r = try await sb.flow(["list", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.first { $0["id"] as? String == id }?["status"] as? String
    }

    @Test("an execution deleted by hand is not listed; a new one under its id is listed as itself")
    func deletedAndRecreated() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("ok.lua", "return 1")
        try sb.write("wait.lua", Self.wait)
        #expect(try await sb.flow(["run", "ok.lua", "--id", "x", "--quiet"]).code == 0)
        #expect(try await sb.flow(["run", "ok.lua", "--id", "y", "--quiet"]).code == 0)
        try FileManager.default.removeItem(atPath: sb.executionDirectory("x"))
        let list = try await sb.flow(["list"])
        #expect(!list.stdout.contains("x "), "\(list)")
        #expect(list.stdout.split(separator: "\n").count == 2, "\(list)")
        let crashed = try await sb.flow(["run", "wait.lua", "--id", "x", "--quiet"], env: ["FLOW_CRASH_AT": "after-intent:2"])
        #expect(crashed.killedBySIGKILL)
        #expect(try await Self.status(sb, "x") == "interrupted")
    }

    @Test("flow run processes finishing at once in one home: every one is indexed, the index intact")
    func concurrentRuns() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("ok.lua", Self.ok)
        let ids = (0..<12).map { "c-\($0)" }
        let runs = try ids.map { try sb.start(["run", "ok.lua", "--id", $0, "--quiet"]) }
        for r in runs { #expect(await r.wait(timeout: .seconds(120)).code == 0) }
        let expected = try await Self.lists(sb)
        // With every journal out of the way, only the index can say what they were.
        for id in ids { try FileManager.default.moveItem(atPath: sb.journalDirectory(id), toPath: sb.journalDirectory(id) + ".away") }
        #expect(try await Self.lists(sb) == expected)
        for id in ids { try FileManager.default.moveItem(atPath: sb.journalDirectory(id) + ".away", toPath: sb.journalDirectory(id)) }

        // A list that had to read a journal (the entry lost: a crash before the append) adds it.
        try FileManager.default.removeItem(atPath: sb.home + "/index")
        #expect(try await Self.lists(sb) == expected)
        for id in ids { try FileManager.default.moveItem(atPath: sb.journalDirectory(id), toPath: sb.journalDirectory(id) + ".away") }
        #expect(try await Self.lists(sb) == expected)
    }
}
