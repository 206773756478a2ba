import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `flow` child process started with posix_spawn and reaped with wait4, so the bench gets its
/// wall time from spawn to exit and its peak RSS (ru_maxrss) without Foundation's Process in between.
/// ru_maxrss is only the child's own peak when the spawning process is small: see `ChildReaper`.
struct ChildProcess {
    struct Ended {
        /// The exit code, or 128 + the signal that killed it.
        var status: Int32
        var seconds: Double
        /// Peak resident set size in KiB (Linux reports ru_maxrss in KiB).
        var maxRSSKiB: Int
        /// CPU time, user + system: other work on the machine stretches it less than wall time.
        var cpuSeconds: Double = 0
    }

    let pid: pid_t
    let started: ContinuousClock.Instant

    /// This very binary, so children run the same build as the bench.
    static let executable: String = {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }()

    /// Starts `flow ARGS…` with stdin on /dev/null, stdout written to `stdout` and stderr appended
    /// to `log` (inherited when nil).
    static func spawn(_ arguments: [String], stdout: String = "/dev/null", log: String?) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let log { posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid = pid_t()
        let start = ContinuousClock.now
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchFailure("cannot spawn \(executable): \(String(cString: strerror(rc)))") }
        return ChildProcess(pid: pid, started: start)
    }

    /// Blocks until the child exits.
    func wait() -> Ended {
        reap(options: 0)!
    }

    /// The end if the child has exited, nil if it is still running.
    func poll() -> Ended? {
        reap(options: WNOHANG)
    }

    func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    private func reap(options: Int32) -> Ended? {
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let r = wait4(pid, &status, options, &usage)
            if r == pid { break }
            if r == 0 { return nil }
            if r < 0 && errno == EINTR { continue }
            return Ended(status: -1, seconds: BenchClock.seconds(since: started), maxRSSKiB: 0)
        }
        let seconds = BenchClock.seconds(since: started)
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return Ended(status: code, seconds: seconds, maxRSSKiB: usage.ru_maxrss, cpuSeconds: cpu)
    }
}
