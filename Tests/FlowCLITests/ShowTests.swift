import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `flow show` on recorded journals (Fixtures/show/NAME/journal, recorded by `ShowRecording`;
/// Fixtures/show/README.md says how each was made), compared with golden files: NAME.txt (text
/// at NO_COLOR=1 COLUMNS=100) and NAME.json. `FLOW_UPDATE_GOLDEN=1` rewrites the goldens.
@Suite("flow show")
struct ShowTests {
    static let fixtures = FlowBinary.packageRoot + "/Tests/FlowCLITests/Fixtures/show"
    static let recorded = ["succeeded", "failed", "retried", "aborted", "operator"]
    static let updating = ProcessInfo.processInfo.environment["FLOW_UPDATE_GOLDEN"] == "1"
    static let plainEnv = ["NO_COLOR": "1", "COLUMNS": "100"]

    /// A sandbox whose home holds a copy of the recorded execution `name` (show must not need
    /// to write, but a test never risks the fixture).
    static func sandbox(with names: [String]) async throws -> Sandbox {
        let sb = try await Sandbox()
        try FileManager.default.createDirectory(atPath: sb.home + "/executions", withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: sb.executionDirectory(name))
        }
        return sb
    }

    /// Compares with the golden file, or rewrites it under FLOW_UPDATE_GOLDEN=1.
    static func expectGolden(_ actual: String, _ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = fixtures + "/" + file
        if updating {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = Sandbox.readText(path)
        if actual == expected { return }
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
        Issue.record("""
            \(file) differs at line \(line + 1) (FLOW_UPDATE_GOLDEN=1 rewrites it):
              expected: \(line < e.count ? String(e[line]) : "<end>")
              actual:   \(line < a.count ? String(a[line]) : "<end>")
            --- actual:
            \(actual)
            """, sourceLocation: sourceLocation)
    }

    @Test("text matches the golden file", arguments: recorded)
    func text(_ name: String) async throws {
        let sb = try await Self.sandbox(with: [name])
        defer { sb.cleanup() }
        let r = try await sb.flow(["show", name], env: Self.plainEnv)
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        #expect(!r.stdout.contains("\u{1b}"), "no colour with NO_COLOR and without a terminal")
        try Self.expectGolden(r.stdout, name + ".txt")
    }

    @Test("--json matches the golden file; --output json is the same", arguments: recorded)
    func json(_ name: String) async throws {
        let sb = try await Self.sandbox(with: [name])
        defer { sb.cleanup() }
        let r = try await sb.flow(["show", name, "--json"])
        #expect(r.code == 0, "\(r)")
        try Self.expectGolden(r.stdout, name + ".json")
        let output = try await sb.flow(["show", name, "--output", "json"])
        #expect(output.stdout == r.stdout)

        let doc = try Sandbox.object(r.stdout)
        #expect(Set(doc.keys) == ["execution", "steps", "operator_actions", "resumes", "weights", "outcome", "failback"])
        #expect((doc["execution"] as? [String: Any])?["id"] as? String == name)
        let steps = try #require(doc["steps"] as? [[String: Any]])
        #expect(steps.map { $0["seq"] as? Int } == Array(1...steps.count).map(Optional.some))
        for step in steps {
            #expect(step["attempts"] is [[String: Any]] && step["started_at"] is String, "\(step)")
        }
        let weights = try #require(doc["weights"] as? [[String: Any]])
        #expect(!weights.isEmpty, "every recorded canary read the weights")
    }

    @Test("the outcome and fail-back of each recording")
    func outcomes() async throws {
        let sb = try await Self.sandbox(with: Self.recorded)
        defer { sb.cleanup() }
        func doc(_ id: String) async throws -> [String: Any] {
            try Sandbox.object(try await sb.flow(["show", id, "--json"]).stdout)
        }
        func greens(_ d: [String: Any]) -> [Int] {
            (d["weights"] as? [[String: Any]] ?? []).compactMap { ($0["weights"] as? [String: Any])?["green"] as? Int }
        }
        let ok = try await doc("succeeded")
        #expect((ok["outcome"] as? [String: Any])?["status"] as? String == "succeeded")
        #expect(ok["failback"] is NSNull)
        #expect(greens(ok) == [0, 10, 50, 100])

        for (id, reason) in [("failed", "failed"), ("aborted", "aborted")] {
            let d = try await doc(id)
            let failback = try #require(d["failback"] as? [String: Any], "\(id)")
            #expect(failback["reason"] as? String == reason)
            #expect(failback["final_weights"] as? [String: Int] == ["blue": 100, "green": 0])
            let steps = try #require(failback["steps"] as? [[String: Any]])
            #expect(steps.map { $0["name"] as? String } == ["failback.restore"])
            #expect(greens(d).last == 0)
        }
        let aborted = try await doc("aborted")
        let abortError = (aborted["outcome"] as? [String: Any])?["error"] as? [String: Any]
        #expect(abortError?["name"] as? String == "Aborted")
        #expect((abortError?["message"] as? String)?.contains("p99 latency up in eu-west-1") == true)

        let retried = try await doc("retried")
        let attempts = ((retried["steps"] as? [[String: Any]])?[2]["attempts"] as? [[String: Any]]) ?? []
        #expect(attempts.map { $0["status"] as? String } == ["failed", "failed", "succeeded"])
        #expect(attempts.prefix(2).allSatisfy { $0["backoff_ms"] is Int && $0["retry_at"] is String })

        let op = try await doc("operator")
        #expect((op["operator_actions"] as? [[String: Any]])?.map { $0["action"] as? String } == ["pause", "promote_full"])
        #expect((op["resumes"] as? [Any])?.count == 1)
    }

    @Test("no line is longer than COLUMNS, however narrow", arguments: recorded)
    func narrow(_ name: String) async throws {
        let sb = try await Self.sandbox(with: [name])
        defer { sb.cleanup() }
        for width in [40, 24, 100] {
            let r = try await sb.flow(["show", name], env: ["NO_COLOR": "1", "COLUMNS": String(width)])
            #expect(r.code == 0, "\(r)")
            for line in r.stdout.split(separator: "\n") {
                #expect(line.count <= width, "COLUMNS=\(width): \(line.count) columns: \(line)")
            }
        }
    }

    @Test("an interrupted execution waiting to retry: its state, the retry time, no outcome yet")
    func interrupted() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo hi", shell = true }
            flow.exec{ cmd = "exit 3", shell = true, retry = { initial = 60, jitter = "none" } }
            """)
        let run = try sb.start(["run", "w.lua", "--id", "w"])
        try await sb.waitForStatus("w", "waiting")
        let live = try await sb.flow(["show", "w"], env: Self.plainEnv)
        #expect(live.code == 0, "\(live)")
        #expect(live.stdout.contains("Execution w: waiting") && live.stdout.contains("driven by"), "\(live)")
        run.send(SIGKILL)
        _ = await run.wait()

        let r = try await sb.flow(["show", "w"], env: Self.plainEnv)
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout.contains("Outcome: interrupted, not finished"), "\(r)")
        #expect(r.stdout.contains("NonZeroExit (retry at "), "\(r)")
        let doc = try Sandbox.object(try await sb.flow(["show", "w", "--json"]).stdout)
        #expect((doc["outcome"] as? [String: Any])?["status"] is NSNull)
        let step = (doc["steps"] as? [[String: Any]])?.last
        #expect(step?["status"] as? String == "waiting")
        #expect(step?["retry_at"] is String && step?["finished_at"] is NSNull, "\(String(describing: step))")
    }

    @Test("an unknown id exits 2 and says so")
    func unknownID() async throws {
        let sb = try await Self.sandbox(with: ["succeeded"])
        defer { sb.cleanup() }
        let r = try await sb.flow(["show", "no-such-run"])
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains("no execution 'no-such-run'"), "\(r)")
        #expect(r.stdout.isEmpty)
        let bad = try await sb.flow(["show", "../escape"])
        #expect(bad.code == 2, "\(bad)")
        let format = try await sb.flow(["show", "succeeded", "--output", "yaml"])
        #expect(format.code == 2, "\(format)")
    }

    @Test("a damaged journal exits 4 naming the file and offset")
    func damagedJournal() async throws {
        let sb = try await Self.sandbox(with: ["succeeded"])
        defer { sb.cleanup() }
        var bytes = sb.bytes(sb.segment("succeeded"))
        bytes[bytes.count / 2] ^= 0xff
        try sb.writeBytes(sb.segment("succeeded"), bytes)
        let r = try await sb.flow(["show", "succeeded"])
        #expect(r.code == 4, "\(r)")
        #expect(r.stderr.contains("00000001.wal") && r.stderr.contains("offset"), "\(r)")
    }

    @Test("show reads only: the home is unchanged")
    func readOnly() async throws {
        let sb = try await Self.sandbox(with: Self.recorded)
        defer { sb.cleanup() }
        let before = sb.snapshotHome()
        for id in Self.recorded {
            #expect(try await sb.flow(["show", id]).code == 0)
            #expect(try await sb.flow(["show", id, "--json"]).code == 0)
        }
        #expect(sb.snapshotHome() == before)
    }

    @Test("--help has an example")
    func help() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let r = try await sb.flow(["show", "--help"], home: false)
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout.contains("flow show canary-"), "\(r)")
        #expect(r.stdout.contains("--json") && r.stdout.contains("--follow"), "\(r)")
    }
}
