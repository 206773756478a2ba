import Foundation
import Glibc
import Testing
@testable import FlowEngine

// Serialized: the fd-leak and zombie checks count process-wide resources, which the
// suite's own parallel runs would disturb.
@Suite(.serialized)
struct ProcessRunnerTests {
    func sh(_ script: String, _ args: String...) -> ProcessSpec {
        ProcessSpec(argv: ["sh", "-c", script, "sh"] + args)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func launchError(_ spec: ProcessSpec) async -> ProcessLaunchError? {
        do {
            _ = try await ProcessRunner.run(spec)
        } catch let error as ProcessLaunchError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-exec-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A killed grandchild is reparented to pid 1, which in a container may never reap it,
    /// so a zombie counts as gone. Waits a little: SIGKILL delivery is asynchronous.
    func eventuallyGone(_ pid: pid_t) async throws -> Bool {
        for _ in 0..<100 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return true }
            let state = stat[stat.index(close, offsetBy: 2)]
            if state == "Z" || state == "X" { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func openFDs() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count }

    /// Unreaped children running what these tests run. Other suites in the same process (the
    /// end-to-end tests) have `flow` children of their own, reaped on their own schedule.
    func zombieChildren() -> [String] {
        let mine: Set<Substring> = ["sh", "cat", "sleep", "true", "echo"]
        let me = getpid()
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.filter { pid in
            guard Int32(pid) != nil, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return false }
            let command = stat[stat.index(after: open)..<close]
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 1 && fields[0] == "Z" && Int32(fields[1]) == me && mine.contains(command)
        }
    }

    @Test func capturesStdoutAndStderr() async throws {
        let outcome = try await ProcessRunner.run(sh("echo out; echo err >&2"))
        #expect(text(outcome.stdout) == "out\n")
        #expect(text(outcome.stderr) == "err\n")
        #expect(outcome.exitCode == 0 && outcome.signal == nil && !outcome.timedOut)
        #expect(outcome.stdoutTruncated == 0 && outcome.stderrTruncated == 0)
    }

    @Test(arguments: [0, 3]) func reportsExitCode(code: Int32) async throws {
        let outcome = try await ProcessRunner.run(sh("exit $1", "\(code)"))
        #expect(outcome.exitCode == code)
        #expect(outcome.signal == nil)
    }

    @Test func passesStdinThrough() async throws {
        var spec = ProcessSpec(argv: ["cat"], stdin: Array("hello\nworld".utf8))
        #expect(text(try await ProcessRunner.run(spec).stdout) == "hello\nworld")
        // Bigger than a pipe in both directions: only works if writing and reading interleave.
        let big = [UInt8](unsafeUninitializedCapacity: 3_000_000) { buffer, count in
            for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) }
            count = buffer.count
        }
        spec.stdin = big
        spec.outputLimit = 4_000_000
        #expect(try await ProcessRunner.run(spec).stdout == big)
        spec.stdin = nil
        let empty = try await ProcessRunner.run(spec)
        #expect(empty.stdout.isEmpty && empty.exitCode == 0)
    }

    @Test func childIgnoringStdinDoesNotKillTheEngine() async throws {
        let spec = ProcessSpec(argv: ["sh", "-c", "exit 4"], stdin: [UInt8](repeating: 7, count: 1 << 20))
        #expect(try await ProcessRunner.run(spec).exitCode == 4)
    }

    @Test func environmentIsInheritedAndOverridden() async throws {
        let script = #"printf '%s|%s|%s' "$FLOW_EXEC_TEST" "$HOME" "$PATH""#
        let parentPath = String(cString: getenv("PATH"))
        let parentHome = getenv("HOME").map { String(cString: $0) } ?? ""
        var spec = sh(script)
        #expect(text(try await ProcessRunner.run(spec).stdout) == "|\(parentHome)|\(parentPath)")
        spec.environment = ["FLOW_EXEC_TEST": "a b=c", "HOME": "/nowhere"]
        #expect(text(try await ProcessRunner.run(spec).stdout) == "a b=c|/nowhere|" + parentPath)
    }

    @Test func pathOverrideIsSearchedForTheCommand() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tool = dir + "/flow-exec-tool"
        try "#!/bin/sh\necho from-tool\n".write(toFile: tool, atomically: true, encoding: .utf8)
        chmod(tool, 0o755)
        let spec = ProcessSpec(argv: ["flow-exec-tool"], environment: ["PATH": dir + ":/usr/bin:/bin"])
        // A process another test spawns at the moment the script is written inherits its write
        // descriptor until it execs, and exec of a file open for writing fails (ETXTBSY): retry.
        var outcome: ProcessOutcome?
        for _ in 0..<20 where outcome == nil {
            do {
                outcome = try await ProcessRunner.run(spec)
            } catch let e as ProcessLaunchError where e.message.contains("Text file busy") {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(text(try #require(outcome).stdout) == "from-tool\n")
        let error = await launchError(ProcessSpec(argv: ["flow-exec-tool"]))
        #expect(error?.errno == ENOENT)
    }

    @Test func runsInWorkingDirectory() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcome = try await ProcessRunner.run(ProcessSpec(argv: ["pwd"], workingDirectory: dir))
        #expect(text(outcome.stdout) == URL(fileURLWithPath: dir).resolvingSymlinksInPath().path + "\n")
        let error = await launchError(ProcessSpec(argv: ["pwd"], workingDirectory: dir + "/missing"))
        #expect(error?.errno == ENOENT)
        #expect(error?.message == "cannot run 'pwd': working directory '\(dir)/missing': No such file or directory")
    }

    @Test func looksUpPathOrUsesAbsolutePath() async throws {
        #expect(text(try await ProcessRunner.run(ProcessSpec(argv: ["echo", "a b"])).stdout) == "a b\n")
        #expect(text(try await ProcessRunner.run(ProcessSpec(argv: ["/bin/echo", "c"])).stdout) == "c\n")
        // A name with a slash is never searched for.
        #expect(await launchError(ProcessSpec(argv: ["bin/echo"]))?.errno == ENOENT)
    }

    @Test func missingCommandIsALaunchError() async throws {
        let error = await launchError(ProcessSpec(argv: ["nosuchcmd"]))
        #expect(error?.argv0 == "nosuchcmd")
        #expect(error?.errno == ENOENT)
        #expect(error?.description == "cannot run 'nosuchcmd': No such file or directory")
        #expect(await launchError(ProcessSpec(argv: ["/no/such/cmd"]))?.errno == ENOENT)
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "echo hi\n".write(toFile: dir + "/plain", atomically: true, encoding: .utf8)
        chmod(dir + "/plain", 0o644)
        #expect(await launchError(ProcessSpec(argv: [dir + "/plain"]))?.errno == EACCES)
        #expect(await launchError(ProcessSpec(argv: []))?.errno == EINVAL)
        #expect(await launchError(ProcessSpec(argv: ["echo", "a\0b"]))?.errno == EINVAL)
        #expect(await launchError(ProcessSpec(argv: ["true"], environment: ["A=B": "x"]))?.errno == EINVAL)
    }

    @Test func truncatesOutputBeyondTheLimit() async throws {
        var spec = sh("head -c 300000 /dev/zero; head -c 5000 /dev/zero >&2")
        spec.outputLimit = 1000
        let outcome = try await ProcessRunner.run(spec)
        #expect(outcome.stdout == [UInt8](repeating: 0, count: 1000))
        #expect(outcome.stdoutTruncated == 299_000)
        #expect(outcome.stderr.count == 1000 && outcome.stderrTruncated == 4000)
        #expect(outcome.exitCode == 0)
    }

    @Test func binaryOutputIsExact() async throws {
        let all = (0..<1024).map { UInt8(truncatingIfNeeded: $0) }
        let outcome = try await ProcessRunner.run(ProcessSpec(argv: ["cat"], stdin: all))
        #expect(outcome.stdout == all)
        let printed = try await ProcessRunner.run(sh(#"printf '\000\001\377\n\200'"#))
        #expect(printed.stdout == [0, 1, 255, 10, 128])
    }

    @Test func timeoutKillsTheWholeGroup() async throws {
        var spec = sh("sleep 30 & echo $!; wait")
        spec.timeout = .milliseconds(300)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try await ProcessRunner.run(spec)
        // Far below the 30 s sleep; wide because CI has stalled a test process for 7.6 s.
        #expect(clock.now - start < .seconds(20))
        #expect(outcome.timedOut && outcome.exitCode == nil && outcome.signal == SIGTERM)
        #expect(outcome.duration >= .milliseconds(300) && outcome.duration < .seconds(20))
        let grandchild = try #require(pid_t(text(outcome.stdout).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await eventuallyGone(grandchild))
    }

    @Test func ignoredTermIsFollowedByKill() async throws {
        var spec = sh("trap '' TERM; sleep 30; echo survived")
        spec.timeout = .milliseconds(200)
        spec.killGrace = .milliseconds(400)
        let outcome = try await ProcessRunner.run(spec)
        #expect(outcome.timedOut && outcome.signal == SIGKILL && outcome.exitCode == nil)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.duration >= .milliseconds(600) && outcome.duration < .seconds(20))
    }

    @Test func cancellationKillsTheChild() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pidFile = dir + "/pid"
        let task = Task { try await ProcessRunner.run(sh("sleep 30 & echo $! > \"$1\"; wait", pidFile)) }
        var grandchild: pid_t?
        for _ in 0..<250 where grandchild == nil {
            try await Task.sleep(for: .milliseconds(20))
            let content = try? String(contentsOfFile: pidFile, encoding: .utf8)
            grandchild = content.flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // Far below the child's 30 s: a bound for a loaded machine, not a benchmark.
        #expect(clock.now - start < .seconds(10))
        #expect(try await eventuallyGone(try #require(grandchild)))
    }

    @Test func alreadyCancelledTaskSpawnsNothing() async throws {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await ProcessRunner.run(ProcessSpec(argv: ["sleep", "30"]))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func grandchildHoldingThePipeDoesNotHang() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try await ProcessRunner.run(sh("sleep 30 & echo $!"))
        #expect(clock.now - start < .seconds(10))
        #expect(outcome.exitCode == 0)
        let stray = try #require(pid_t(text(outcome.stdout).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(stray, SIGKILL)
    }

    @Test func leaksNoDescriptorsOrZombies() async throws {
        let before = try openFDs()
        for i in 0..<50 {
            switch i % 5 {
            case 0: _ = try await ProcessRunner.run(sh("echo $1; echo e >&2", "\(i)"))
            case 1: _ = try await ProcessRunner.run(ProcessSpec(argv: ["cat"], stdin: Array("x\(i)".utf8)))
            case 2: _ = await launchError(ProcessSpec(argv: ["nosuchcmd"]))
            case 3: _ = await launchError(ProcessSpec(argv: ["true"], workingDirectory: "/nonexistent"))
            default:
                var spec = sh("sleep 5")
                spec.timeout = .milliseconds(10)
                _ = try await ProcessRunner.run(spec)
            }
        }
        // Other suites run in parallel and open files (sockets, pipes) of their own, so allow
        // them a moment and some slack; a leak here costs at least one fd in each of 50 runs.
        var after = try openFDs()
        var zombies = zombieChildren()
        for _ in 0..<50 where after > before || !zombies.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            after = try openFDs()
            zombies = zombieChildren()
        }
        #expect(after - before < 40)
        #expect(zombies.isEmpty)
    }

    @Test func concurrentRunsStayApart() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, ProcessOutcome).self) { group in
            for i in 0..<20 {
                group.addTask {
                    (i, try await ProcessRunner.run(sh("echo out-$1; echo err-$1 >&2; exit $(($1 % 7))", "\(i)")))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 20)
        for (i, outcome) in results {
            #expect(text(outcome.stdout) == "out-\(i)\n")
            #expect(text(outcome.stderr) == "err-\(i)\n")
            #expect(outcome.exitCode == Int32(i % 7))
        }
    }

    @Test func specRoundTripsAndDefaultsMissingFields() throws {
        let spec = ProcessSpec(argv: ["a"], environment: ["K": "V"], workingDirectory: "/w", stdin: [0, 255],
                               timeout: .milliseconds(1500), killGrace: .seconds(1), outputLimit: 10)
        let decoded = try JSONDecoder().decode(ProcessSpec.self, from: JSONEncoder().encode(spec))
        #expect(decoded == spec)
        let minimal = try JSONDecoder().decode(ProcessSpec.self, from: Data(#"{"argv":["x"]}"#.utf8))
        #expect(minimal == ProcessSpec(argv: ["x"]))
        #expect(minimal.killGrace == .seconds(2) && minimal.outputLimit == 1 << 20)
    }
}
