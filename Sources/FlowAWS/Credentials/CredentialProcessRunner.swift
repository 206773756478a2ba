#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs `/bin/sh -c COMMAND` with a deadline. posix_spawn rather than Foundation.Process so that
/// the child gets its own process group: on timeout the whole group (the shell and anything it
/// started that still holds our pipes) is killed, and the child is always reaped — no zombies,
/// no thread stuck reading a pipe a grandchild keeps open.
enum CredentialProcessRunner {
    struct Output: Sendable {
        var status: Int32?
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
        var timedOut: Bool
    }

    struct SpawnError: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "cannot start /bin/sh: \(String(cString: strerror(errno)))" }
    }

    /// Blocking work runs on its own thread: it must not occupy a cooperative-pool thread for seconds.
    static func run(_ command: String, environment: [String: String], timeout: Duration,
                    maxOutput: Int = 1 << 20) async throws -> Output {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(command, environment: environment, timeout: timeout, maxOutput: maxOutput) })
            }
            thread.start()
        }
    }

    private static func runBlocking(_ command: String, environment: [String: String], timeout: Duration,
                                    maxOutput: Int) throws -> Output {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw SpawnError(errno: errno) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw SpawnError(errno: errno)
        }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let arguments: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        close(outPipe[1]); close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw SpawnError(errno: spawned)
        }

        let deadline = ContinuousClock.now.advanced(by: timeout)
        var output = Output(status: nil, signal: nil, stdout: [], stderr: [], timedOut: false)
        var open: [Int32: Bool] = [outPipe[0]: true, errPipe[0]: true]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while open.values.contains(true) {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { output.timedOut = true; break }
            var fds = open.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
            let ms = Int32(min(Double(Int32.max), max(1, milliseconds(left))))
            let ready = poll(&fds, nfds_t(fds.count), ms)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let n = read(entry.fd, &buffer, buffer.count)
                if n <= 0 { open[entry.fd] = false; continue }
                if entry.fd == outPipe[0] {
                    if output.stdout.count < maxOutput { output.stdout += buffer[0..<n] }
                } else if output.stderr.count < maxOutput {
                    output.stderr += buffer[0..<n]
                }
            }
        }
        close(outPipe[0]); close(errPipe[0])

        if output.timedOut { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { return output }
            if !output.timedOut && ContinuousClock.now >= deadline {
                output.timedOut = true
                kill(-pid, SIGKILL)
            }
            usleep(5_000)
        }
        if status & 0x7f == 0 { output.status = (status >> 8) & 0xff } else { output.signal = status & 0x7f }
        return output
    }
}

private func milliseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
}
