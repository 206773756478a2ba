import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Mistakes on the command line: exit 2, one clear message, and nothing created or changed.
@Suite("bad input")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var args: [String]
        /// A fragment the message on stderr must contain.
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown flag", args: ["run", "p.lua", "--bogus"], message: "--bogus"),
        Case(name: "invalid --sync value", args: ["run", "p.lua", "--param", "name=x", "--sync", "sometimes"], message: "--sync"),
        Case(name: "missing file", args: ["run", "missing.lua"], message: "missing.lua does not exist"),
        Case(name: "syntax error", args: ["run", "bad.lua"], message: "bad.lua:2:"),
        Case(name: "undeclared parameter", args: ["run", "p.lua", "--param", "name=x", "--param", "zz=1"], message: "unknown parameter 'zz'"),
        Case(name: "missing required parameter", args: ["run", "p.lua"], message: "missing required parameter 'name'"),
        Case(name: "ill-typed parameter", args: ["run", "p.lua", "--param", "name=x", "--param", "n=abc"], message: "parameter 'n'"),
        Case(name: "--param without =", args: ["run", "p.lua", "--param", "name"], message: "NAME=VALUE"),
        Case(name: "bad --params JSON", args: ["run", "p.lua", "--params", "bad.json"], message: "bad.json is not valid JSON"),
        Case(name: "missing --params file", args: ["run", "p.lua", "--params", "nofile.json"], message: "nofile.json"),
        Case(name: "parameters for a workflow that declares none", args: ["run", "plain.lua", "--param", "a=1"], message: "declares none"),
        Case(name: "invalid --id", args: ["run", "p.lua", "--param", "name=x", "--id", "../x"], message: "invalid execution id"),
        Case(name: "--id that already exists", args: ["run", "p.lua", "--param", "name=x", "--id", "existing"], message: "already exists"),
        Case(name: "status of an unknown id", args: ["status", "nosuchid"], message: "nosuchid"),
        Case(name: "history of an unknown id", args: ["history", "nosuchid"], message: "nosuchid"),
        Case(name: "resume of an unknown id", args: ["resume", "nosuchid"], message: "no execution 'nosuchid'"),
        Case(name: "signal with bad --data JSON", args: ["signal", "existing", "go", "--data", "{bad"], message: "--data is not valid JSON"),
        Case(name: "signal to an unknown id", args: ["signal", "nosuchid", "go"], message: "nosuchid"),
        Case(name: "cancel of an unknown id", args: ["cancel", "nosuchid"], message: "nosuchid"),
        Case(name: "resume with both an id and --all", args: ["resume", "existing", "--all"], message: "--all"),
    ]

    /// A sandbox holding the scripts and one interrupted execution, "existing".
    static func setUp() async throws -> Sandbox {
        let sb = try await Sandbox()
        try sb.write("p.lua", """
            local p = flow.params{ n = 5, name = flow.required "string" }
            flow.exec{ cmd = "echo ran >> effects", shell = true }
            flow.signal("go")
            return p.n
            """)
        try sb.write("plain.lua", #"flow.exec{ cmd = "echo ran >> effects", shell = true }"#)
        try sb.write("bad.lua", "flow.exec{ cmd = \"x\"\nlocal = 3\n")
        try sb.write("bad.json", #"{"n": "#)
        let r = try await sb.flow(["run", "p.lua", "--id", "existing", "--param", "name=x", "--quiet"],
                                  env: ["FLOW_CRASH_AT": "after-intent:2"])
        #expect(r.killedBySIGKILL, "\(r)")
        try FileManager.default.removeItem(atPath: sb.path("effects"))
        return sb
    }

    @Test("exit 2, a clear message, nothing created or changed", arguments: cases)
    func badInput(_ c: Case) async throws {
        let sb = try await Self.setUp()
        defer { sb.cleanup() }
        let before = sb.snapshotHome()
        #expect(sb.executionIDs() == ["existing"])

        let r = try await sb.flow(c.args)
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains(c.message), "\(r)")
        #expect(r.stderr.count < 2000, "one message, not a dump: \(r)")
        #expect(sb.executionIDs() == ["existing"], "an execution was left behind")
        #expect(sb.snapshotHome().changes(since: before).isEmpty, "the home changed: \(sb.snapshotHome().changes(since: before))")
        #expect(!sb.exists("effects"), "a step ran")
    }

    @Test("a syntax error is reported as file:line by `flow check` too (exit 2)")
    func checkReportsSyntaxError() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("bad.lua", "flow.exec{ cmd = \"x\"\nlocal = 3\n")
        try sb.write("good.lua", "flow.sleep(0)")
        let bad = try await sb.flow(["check", "bad.lua"])
        #expect(bad.code == 2, "\(bad)")
        #expect(bad.stderr.contains("bad.lua:2:"), "\(bad)")
        let good = try await sb.flow(["check", "good.lua"])
        #expect(good.code == 0, "\(good)")
        #expect(!sb.exists("home"), "check touches no home")
    }

    /// An id is a file name in the home; read and signal commands must refuse ids that are
    /// paths, as `run` and `resume` do, or they reach outside the execution's directory.
    @Test("ids with path components are refused by every command", arguments: [
        ["status", "../executions/existing"],
        ["history", "../executions/existing"],
        ["signal", "../executions/existing", "go"],
    ])
    func pathLikeIDsAreRefused(_ args: [String]) async throws {
        let sb = try await Self.setUp()
        defer { sb.cleanup() }
        let before = sb.snapshotHome()
        let r = try await sb.flow(args)
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains("invalid execution id"), "\(r)")
        #expect(sb.snapshotHome().changes(since: before).isEmpty, "the home changed: \(sb.snapshotHome().changes(since: before))")
    }
}
