import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// The harness for the end-to-end tests: every test gets its own `Sandbox` (a temporary
// directory used both as the working directory and, under `home/`, as the flow home) and
// drives the REAL `flow` binary as a subprocess with posix_spawn, so the tests see exactly
// what a user sees: exit codes, stdout, stderr, files, and the effects of real processes.

/// A failure of the harness itself (a timeout, an unparsable output), thrown out of a test.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where the binary under test lives: `<package root>/.build/debug/flow`.
enum FlowBinary {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// FLOW_TEST_BINARY runs the suite against another build (scripts/sanitizers: a sanitized one).
    static let path = ProcessInfo.processInfo.environment["FLOW_TEST_BINARY"] ?? packageRoot + "/.build/debug/flow"

    static func require() throws -> String {
        guard access(path, X_OK) == 0 else {
            throw HarnessError("the flow binary is missing at \(path): run `swift build` in \(packageRoot) first")
        }
        return path
    }
}

/// How a finished `flow` invocation ended, and what it printed.
struct CLIResult: CustomStringConvertible {
    /// The exit code, when the process exited.
    var code: Int32?
    /// The signal that killed it, when one did.
    var signal: Int32?
    var stdout: String
    var stderr: String
    var elapsed: Duration
    var timedOut = false

    /// The shell's view: 128 + signal for a process killed by a signal.
    var status: Int32 { code ?? (128 + (signal ?? 0)) }
    var killedBySIGKILL: Bool { signal == SIGKILL || code == 137 }
    /// The first line of stdout: the execution id for `run` and `resume`.
    var firstLine: String { String(stdout.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }
    var seconds: Double { elapsed.seconds }

    var description: String {
        let how = signal.map { "killed by signal \($0)" } ?? "exit \(code.map(String.init) ?? "?")"
        return "\(how)\(timedOut ? " (TIMED OUT)" : "") after \(String(format: "%.2f", seconds)) s\n"
            + "--- stdout:\n\(stdout)--- stderr:\n\(stderr)---"
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

/// A `flow` process started in the background.
final class FlowProcess {
    let pid: pid_t
    let args: [String]
    let stdoutPath: String
    let stderrPath: String
    let started: ContinuousClock.Instant
    private(set) var result: CLIResult?

    init(pid: pid_t, args: [String], stdoutPath: String, stderrPath: String, started: ContinuousClock.Instant) {
        self.pid = pid
        self.args = args
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.started = started
    }

    var stdout: String { Sandbox.readText(stdoutPath) }
    var stderr: String { Sandbox.readText(stderrPath) }
    var isRunning: Bool { poll() == nil }

    /// Sends a signal to the process (not its group), if it has not been reaped yet.
    func send(_ signal: Int32) {
        guard result == nil else { return }
        kill(pid, signal)
    }

    /// Reaps the process if it has ended.
    @discardableResult
    func poll() -> CLIResult? {
        if let result { return result }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == 0 { return nil }
        if rc < 0 && errno == EINTR { return nil }
        return finish(status: rc == pid ? status : nil)
    }

    /// Waits (without blocking a thread) until the process ends; after `timeout` it is killed
    /// and the result says so.
    func wait(timeout: Duration = .seconds(30)) async -> CLIResult {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let r = poll() { return r }
            if ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
                var r = reapBlocking()
                r.timedOut = true
                result = r
                return r
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// SIGKILLs the process if it still runs and reaps it (used by the sandbox's cleanup).
    func killAndReap() {
        guard result == nil else { return }
        kill(pid, SIGKILL)
        _ = reapBlocking()
    }

    private func reapBlocking() -> CLIResult {
        if let result { return result }
        var status: Int32 = 0
        var rc: pid_t
        repeat { rc = waitpid(pid, &status, 0) } while rc < 0 && errno == EINTR
        return finish(status: rc == pid ? status : nil)
    }

    private func finish(status: Int32?) -> CLIResult {
        var code: Int32?
        var signal: Int32?
        if let status {
            // WIFEXITED/WTERMSIG are C macros Swift does not import; this is glibc's definition.
            let term = status & 0x7f
            if term == 0 { code = (status >> 8) & 0xff } else { signal = term }
        }
        let r = CLIResult(code: code, signal: signal, stdout: stdout, stderr: stderr, elapsed: ContinuousClock.now - started)
        result = r
        return r
    }
}

/// One test's world: a temporary directory that is the working directory of every `flow`
/// process, with the flow home in `home/`. Every process started here is killed and reaped
/// by `cleanup()` (call it in a `defer`); so are the extra pids registered with `adopt`.
final class Sandbox {
    let dir: String
    let home: String
    let binary: String
    private var processes: [FlowProcess] = []
    private var strays: [pid_t] = []
    private var counter = 0
    private var cleanedUp = false
    private var holdsGate = false

    /// Waits for a slot of the test gate first, so that no more than a few tests drive flow
    /// processes at once: the timing checks (a resume that must finish in < 2.8 s) stay
    /// meaningful on a small machine even though Swift Testing starts every test at once.
    init() async throws {
        binary = try FlowBinary.require()
        var tmp = NSTemporaryDirectory()
        while tmp.hasSuffix("/") { tmp.removeLast() }
        var template = Array((tmp + "/flow-cli-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed: errno \(errno)") }
        dir = String(cString: made)
        home = dir + "/home"
        try FileManager.default.createDirectory(atPath: dir + "/.io", withIntermediateDirectories: true)
        await TestGate.shared.acquire()
        holdsGate = true
    }

    deinit { cleanup() }

    /// Kills and reaps every process this sandbox started, kills adopted strays, and removes
    /// the directory (kept when FLOW_CLI_KEEP is set, for debugging).
    func cleanup() {
        if cleanedUp { return }
        cleanedUp = true
        for p in processes { p.killAndReap() }
        for pid in strays { kill(pid, SIGKILL) }
        if holdsGate {
            holdsGate = false
            TestGate.shared.release()
        }
        if ProcessInfo.processInfo.environment["FLOW_CLI_KEEP"] == nil {
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    /// A process that is not our child (e.g. a workflow's `sleep`, orphaned when flow was
    /// killed) to kill at cleanup.
    func adopt(_ pid: pid_t) { strays.append(pid) }

    // MARK: files

    func path(_ name: String) -> String { name.hasPrefix("/") ? name : dir + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    func read(_ name: String) -> String { Self.readText(path(name)) }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    static func readText(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    func bytes(_ name: String) -> [UInt8] { FileManager.default.contents(atPath: path(name)).map { Array($0) } ?? [] }

    func writeBytes(_ name: String, _ bytes: [UInt8]) throws {
        guard FileManager.default.createFile(atPath: path(name), contents: Data(bytes)) else {
            throw HarnessError("cannot write \(name)")
        }
    }

    /// The lines of an effects file (a file workflows append to with `echo X >> effects`).
    func lines(_ name: String = "effects") -> [String] {
        read(name).split(separator: "\n").map(String.init)
    }

    /// How many lines of the effects file are exactly `line`.
    func count(_ line: String, in name: String = "effects") -> Int {
        lines(name).filter { $0 == line }.count
    }

    // MARK: the home

    func executionDirectory(_ id: String) -> String { home + "/executions/" + id }
    func journalDirectory(_ id: String) -> String { executionDirectory(id) + "/journal" }
    func segment(_ id: String) -> String { journalDirectory(id) + "/00000001.wal" }
    func inboxFiles(_ id: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: executionDirectory(id) + "/inbox")) ?? [])
            .filter { $0.hasSuffix(".json") }
    }

    /// The execution ids in the home (directory names under executions/).
    func executionIDs() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: home + "/executions")) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Every file of the home with its bytes, to prove a command changed nothing. Lock files
    /// are left out: whoever takes a lock writes its pid there and clears it on release.
    func snapshotHome() -> HomeSnapshot {
        var files: [String: [UInt8]] = [:]
        if let walker = FileManager.default.enumerator(atPath: home) {
            while let rel = walker.nextObject() as? String {
                var isDir: ObjCBool = false
                let full = home + "/" + rel
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
                   !rel.hasSuffix("/lock") {
                    files[rel] = bytes(full)
                }
            }
        }
        return HomeSnapshot(files: files)
    }

    // MARK: running flow

    /// Starts `flow ARGS --home HOME` in the background (`--home` is added for every command
    /// but `check`, unless `home` is false). FLOW_CRASH_AT and FLOW_HOME are never inherited.
    func start(_ args: [String], env: [String: String] = [:], home addHome: Bool = true) throws -> FlowProcess {
        var argv = args
        if addHome, args.first != "check" { argv += ["--home", home] }
        counter += 1
        let out = dir + "/.io/\(counter).out"
        let err = dir + "/.io/\(counter).err"
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "FLOW_CRASH_AT")
        environment.removeValue(forKey: "FLOW_HOME")
        for (k, v) in env { environment[k] = v }
        let pid = try Spawner.spawn(
            binary, arguments: argv, environment: environment, directory: dir, stdout: out, stderr: err)
        let process = FlowProcess(pid: pid, args: argv, stdoutPath: out, stderrPath: err, started: .now)
        processes.append(process)
        return process
    }

    /// Runs `flow ARGS` to its end.
    @discardableResult
    func flow(_ args: [String], env: [String: String] = [:], home addHome: Bool = true,
              timeout: Duration = .seconds(30)) async throws -> CLIResult {
        let p = try start(args, env: env, home: addHome)
        let r = await p.wait(timeout: timeout)
        if r.timedOut { throw HarnessError("flow \(args.joined(separator: " ")) timed out: \(r)") }
        return r
    }

    /// Runs another program (found on PATH) in the sandbox to its end: a validator, a shell.
    func run(_ program: String, _ args: [String], timeout: Duration = .seconds(60)) async throws -> CLIResult {
        counter += 1
        let out = dir + "/.io/\(counter).out"
        let err = dir + "/.io/\(counter).err"
        let pid = try Spawner.spawn("/usr/bin/env", arguments: [program] + args, environment: ProcessInfo.processInfo.environment,
                                    directory: dir, stdout: out, stderr: err)
        let process = FlowProcess(pid: pid, args: [program] + args, stdoutPath: out, stderrPath: err, started: .now)
        processes.append(process)
        let r = await process.wait(timeout: timeout)
        if r.timedOut { throw HarnessError("\(program) timed out: \(r)") }
        return r
    }

    /// `flow status ID --json`, parsed.
    func status(_ id: String) async throws -> [String: Any] {
        let r = try await flow(["status", id, "--json"])
        guard r.code == 0 else { throw HarnessError("flow status \(id) failed: \(r)") }
        return try Self.object(r.stdout)
    }

    func statusName(_ id: String) async throws -> String {
        try await status(id)["status"] as? String ?? "?"
    }

    /// `flow history ID --json`, parsed: one object per journal record.
    func history(_ id: String) async throws -> [[String: Any]] {
        let r = try await flow(["history", id, "--json"])
        guard r.code == 0 else { throw HarnessError("flow history \(id) failed: \(r)") }
        guard let entries = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] else {
            throw HarnessError("flow history \(id) --json is not an array of objects: \(r.stdout)")
        }
        return entries
    }

    /// Polls `flow status ID --json` (every 20 ms, for at most `timeout`) until the status is
    /// one of `wanted` (and, given `kind`, the current step is of that kind: "sleep", "signal",
    /// "step", "native"; given `step`, it has that name); returns that status object.
    @discardableResult
    func waitForStatus(_ id: String, _ wanted: Set<String>, kind: String? = nil, step: String? = nil,
                       timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last = "(no status yet)"
        while ContinuousClock.now < deadline {
            let r = try await flow(["status", id, "--json"])
            if r.code == 0, let s = try? Self.object(r.stdout) {
                let current = s["current_step"] as? [String: Any]
                if let name = s["status"] as? String, wanted.contains(name),
                   kind == nil || current?["kind"] as? String == kind,
                   step == nil || current?["name"] as? String == step {
                    return s
                }
                last = r.stdout
            } else {
                last = r.description
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("execution \(id) did not reach \(wanted.sorted())\(kind.map { " in a \($0) step" } ?? "")"
            + "\(step.map { " named \($0)" } ?? "") within \(timeout); last: \(last)")
    }

    @discardableResult
    func waitForStatus(_ id: String, _ wanted: String, kind: String? = nil, step: String? = nil,
                       timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try await waitForStatus(id, [wanted], kind: kind, step: step, timeout: timeout)
    }

    /// Polls a condition every 10 ms for at most `timeout`.
    func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now >= deadline { throw HarnessError("timed out after \(timeout) waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func object(_ json: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(json)")
        }
        return o
    }
}

/// The files of a home and their bytes; compared, it lists what changed.
struct HomeSnapshot: Equatable, CustomStringConvertible {
    var files: [String: [UInt8]]

    func changes(since before: HomeSnapshot) -> [String] {
        let added = files.keys.filter { before.files[$0] == nil }.map { "added \($0)" }
        let removed = before.files.keys.filter { files[$0] == nil }.map { "removed \($0)" }
        let changed = files.keys.filter { before.files[$0] != nil && before.files[$0] != files[$0] }.map {
            "changed \($0) (\(before.files[$0]!.count) -> \(files[$0]!.count) bytes)"
        }
        return (added + removed + changed).sorted()
    }

    var description: String { "\(files.count) files: \(files.keys.sorted())" }
}

/// At most `limit` tests drive processes at once (FLOW_CLI_PARALLEL, default 2 per core).
final class TestGate: @unchecked Sendable {
    static let shared = TestGate(limit: ProcessInfo.processInfo.environment["FLOW_CLI_PARALLEL"].flatMap { Int($0) }
        ?? max(2, 2 * ProcessInfo.processInfo.activeProcessorCount))

    private let lock = NSLock()
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { available = max(1, limit) }

    func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if available > 0 {
                available -= 1
                lock.unlock()
                c.resume()
            } else {
                waiters.append(c)
                lock.unlock()
            }
        }
    }

    func release() {
        lock.lock()
        if waiters.isEmpty {
            available += 1
            lock.unlock()
        } else {
            let next = waiters.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}

/// posix_spawn with stdio redirected to files, a working directory, its own process group,
/// an empty signal mask and default dispositions (so a test runner's signal setup never leaks
/// into flow: its SIGINT handling must be the real one).
enum Spawner {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    /// glibc declares it only under _GNU_SOURCE, which the Swift Glibc module does not define.
    static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }

    static func spawn(_ path: String, arguments: [String], environment: [String: String], directory: String,
                      stdout: String, stderr: String) throws -> pid_t {
        guard let addChdir else { throw HarnessError("posix_spawn_file_actions_addchdir_np is unavailable (glibc < 2.29)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = addChdir(&actions, directory)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        guard rc == 0 else { throw HarnessError("posix_spawn \(path) failed: \(String(cString: strerror(rc)))") }
        return pid
    }
}

// MARK: assertions shared by the suites

/// Every line in `expected` occurs exactly once in the effects, except `inFlight` (which may
/// occur once or twice: a step that was running when the process died is run again).
func expectEffects(_ sb: Sandbox, once expected: [String], inFlight: String? = nil, file: String = "effects",
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let lines = sb.lines(file)
    for line in expected {
        let n = lines.filter { $0 == line }.count
        if line == inFlight {
            #expect((1...2).contains(n), "'\(line)' ran \(n) times (in flight at the crash: expected 1 or 2); effects: \(lines)",
                    sourceLocation: sourceLocation)
        } else {
            #expect(n == 1, "'\(line)' ran \(n) times (expected exactly once); effects: \(lines)", sourceLocation: sourceLocation)
        }
    }
    let unexpected = lines.filter { !expected.contains($0) }
    #expect(unexpected.isEmpty, "unexpected effects: \(unexpected)", sourceLocation: sourceLocation)
}

/// A workflow of `n` exec steps, each appending "sI" to `effects`, returning "done".
func execSteps(_ n: Int) -> String {
    """
    for i = 1, \(n) do
      flow.exec{ cmd = "echo s" .. i .. " >> effects", shell = true }
    end
    return "done"
    """
}
