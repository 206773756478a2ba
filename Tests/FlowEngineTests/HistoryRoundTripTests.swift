import Foundation
import Testing
import FlowLua
import FlowWAL
@testable import FlowEngine
#if canImport(Glibc)
import Glibc
#endif

/// Real journals, written by the real `flow` binary (retries, a sleep, process output that is
/// not UTF-8, a signal with data, an operator's pause, a resume after SIGKILL, a cancel with
/// compensation, a failure with compensation and a redrive), exported with `flow history --json`
/// and imported back: re-encoded, every entry is byte for byte the WAL's record.
@Suite struct HistoryRoundTripTests {
    @Test func historyJSONRebuildsTheJournalByteForByte() async throws {
        let cli = try FlowCLI()
        defer { cli.remove() }

        try cli.write("a.lua", """
            local p = flow.params{ n = 2, label = "x" }
            local n = 0
            local v = flow.step("flaky", function()
              n = n + 1
              if n < 3 then error({ name = "Flaky", message = "try " .. n }) end
              return { tries = n, ratio = 100 / 10, n = p.n, neg = -2^63 }
            end, { retry = { max_attempts = 5, initial = 0.01, backoff = 1 } })
            flow.sleep(0.05)
            local out = flow.exec{ cmd = "printf '\\\\377\\\\001'", shell = true }
            local t = flow.now()
            local r = flow.random()
            local ok, data = flow.signal("go", { timeout = 30 })
            return { v = v, data = data, out = out.stdout, r = r, t = t }
            """)
        try await cli.expect(137, ["run", "a.lua", "--id", "a", "--param", "n=5", "--region", "eu-west-1"],
                             env: ["FLOW_CRASH_AT": "after-intent:6"])
        try await cli.expect(0, ["pause", "a", "--reason", "look"])
        try await cli.expect(0, ["unpause", "a"])
        try await cli.expect(0, ["signal", "a", "go", "--data", #"{"x":1.5,"y":[1,2],"z":{"$float":"2.0"}}"#])
        try await cli.expect(0, ["resume", "a"])

        try cli.write("b.lua", """
            flow.on_failure(function()
              flow.exec{ cmd = "true", shell = true }
              flow.step("cleanup", function() return "clean" end)
            end)
            flow.step("first", function() return 1 end)
            flow.exec{ cmd = "test -f \(cli.dir)/mark", shell = true }
            return "ok"
            """)
        try await cli.expect(1, ["run", "b.lua", "--id", "b"])
        try cli.write("mark", "")
        try await cli.expect(0, ["retry", "b", "--reason", "mark made"])

        try cli.write("c.lua", """
            flow.on_failure(function() flow.step("undo", function() return true end) end)
            flow.step("a", function() return 1 end)
            flow.signal("never")
            """)
        try await cli.expect(137, ["run", "c.lua", "--id", "c"], env: ["FLOW_CRASH_AT": "after-intent:2"])
        try await cli.expect(0, ["cancel", "c", "--reason", "stop"])

        var kinds: Set<String> = []
        for id in ["a", "b", "c"] {
            let export = try await cli.expect(0, ["history", id, "--json"])
            let imported = try HistoryImport.entries(json: Data(export.stdout.utf8), path: "\(id).json")
            let records = try WALReader.read(directory: cli.home.journalDirectory(of: id)).records
            #expect(imported.count == records.count, "\(id): one entry per record")
            for (i, (entry, record)) in zip(imported, records).enumerated() {
                let (type, payload) = JournalCodec.encode(entry)
                let original = try JournalCodec.decode(type: record.type, payload: record.payload)
                #expect(type == record.type && payload == record.payload,
                        "\(id): entry \(i + 1) re-encodes differently: \(entry) vs \(original)")
                kinds.insert(HistoryEntry(index: i + 1, entry).kind)
            }
        }
        #expect(kinds.isSuperset(of: ["started", "step.start", "native.start", "sleep.start", "signal.start", "now.start",
                                      "random.start", "completed", "failed", "compensating", "finished", "resumed", "operator",
                                      "redriven"]), "\(kinds.sorted())")
    }
}

/// The `flow` binary (`.build/debug/flow`, built with the tests) run in a temporary directory,
/// waited for without blocking a thread of the cooperative pool.
struct FlowCLI {
    static let binary: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/.build/debug/flow"
    }()

    let dir: String
    var home: FlowHome { FlowHome(root: dir + "/home") }

    init() throws {
        guard access(Self.binary, X_OK) == 0 else { throw FlowCLIError("the flow binary is missing at \(Self.binary): run `swift build` first") }
        dir = "/tmp/frt-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\n--- stdout:\n\(stdout)--- stderr:\n\(stderr)---" }
    }

    /// Runs `flow ARGS --home HOME` with the scripts given by absolute path; fails the test
    /// unless it ends with `status` (137: killed by SIGKILL).
    @discardableResult
    func expect(_ status: Int32, _ args: [String], env: [String: String] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
        let argv = args.map { $0.hasSuffix(".lua") ? dir + "/" + $0 : $0 } + ["--home", home.root]
        let r = try await run(argv, env: env)
        #expect(r.status == status, "flow \(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
        return r
    }

    func run(_ args: [String], env: [String: String]) async throws -> Result {
        let id = UUID().uuidString.prefix(8)
        let out = dir + "/.\(id).out", err = dir + "/.\(id).err"
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "FLOW_CRASH_AT")
        environment.removeValue(forKey: "FLOW_HOME")
        for (k, v) in env { environment[k] = v }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([Self.binary] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, Self.binary, &actions, nil, argv, envp)
        guard rc == 0 else { throw FlowCLIError("posix_spawn failed: \(String(cString: strerror(rc)))") }

        let deadline = ContinuousClock.now + .seconds(60)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw FlowCLIError("flow \(args.joined(separator: " ")) did not end within 60 s")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        func read(_ path: String) -> String {
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        // glibc's WIFEXITED/WTERMSIG: a signal shows as 128 + its number, as in a shell.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, stdout: read(out), stderr: read(err))
    }
}

struct FlowCLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
