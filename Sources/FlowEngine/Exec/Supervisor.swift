import Glibc

extension ProcessRunner {
    enum Completion: Sendable {
        case finished(ProcessOutcome)
        case cancelled
    }

    /// Longest the loop sleeps without re-checking cancellation, deadlines and child exit.
    static let tick: Duration = .milliseconds(50)
    /// How long to keep reading after the child is reaped, for output still in flight from
    /// grandchildren; bounded so a daemonised grandchild holding the pipe can't hang us.
    static let drainGrace: Duration = .milliseconds(200)

    struct Capture {
        let limit: Int
        var bytes: [UInt8] = []
        var dropped = 0

        mutating func append(_ chunk: UnsafeRawBufferPointer) {
            let kept = min(max(0, limit - bytes.count), chunk.count)
            // Through a typed buffer pointer, so the append is a memcpy even unoptimized.
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk.assumingMemoryBound(to: UInt8.self)[..<kept]))
            dropped += chunk.count - kept
        }
    }

    /// The blocking poll/read/write/wait loop for one child. Runs on a dedicated thread,
    /// never on the cooperative pool.
    struct Supervisor {
        let pid: pid_t
        let started: ContinuousClock.Instant
        let deadline: ContinuousClock.Instant?
        let killGrace: Duration
        let cancel: CancelFlag
        let input: [UInt8]
        var inputOffset = 0
        var stdinFD: Int32?
        var stdoutFD: Int32?
        var stderrFD: Int32?
        var out: Capture
        var err: Capture
        var exit: ExitStatus?
        var exitedAt: ContinuousClock.Instant?
        var timedOut = false
        var cancelled = false
        var termSentAt: ContinuousClock.Instant?
        var killSent = false
        var idleWait: Duration = .milliseconds(1)

        init(child: SpawnedChild, spec: ProcessSpec, started: ContinuousClock.Instant, cancel: CancelFlag) {
            pid = child.pid
            self.started = started
            deadline = spec.timeout.map { started + $0 }
            killGrace = spec.killGrace
            self.cancel = cancel
            input = spec.stdin ?? []
            stdinFD = child.stdin
            stdoutFD = child.stdout
            stderrFD = child.stderr
            out = Capture(limit: spec.outputLimit)
            err = Capture(limit: spec.outputLimit)
        }

        mutating func run() -> Completion {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
            defer {
                buffer.deallocate()
                Self.closeFD(&stdinFD)
                Self.closeFD(&stdoutFD)
                Self.closeFD(&stderrFD)
            }
            if input.isEmpty { Self.closeFD(&stdinFD) }
            while true {
                let now = ContinuousClock.now
                enforceDeadlines(now)
                if exit == nil, hasExited(pid) {
                    // Stragglers in the group got their grace while the leader lived; once it
                    // is gone, finish them before the reap frees the group id.
                    if termSentAt != nil { signalGroup(pid, SIGKILL) }
                    exit = reap(pid)
                    exitedAt = now
                    Self.closeFD(&stdinFD)
                }
                if let exitedAt {
                    if stdoutFD == nil && stderrFD == nil { break }
                    if now - exitedAt >= drainGrace || cancel.isSet { break }
                }
                pollOnce(now, buffer)
            }
            if cancelled { return .cancelled }
            return .finished(ProcessOutcome(
                exitCode: exit?.code, signal: exit?.signal, timedOut: timedOut,
                stdout: out.bytes, stderr: err.bytes,
                stdoutTruncated: out.dropped, stderrTruncated: err.dropped,
                duration: (exitedAt ?? started) - started
            ))
        }

        private mutating func enforceDeadlines(_ now: ContinuousClock.Instant) {
            guard exit == nil else { return }
            if let termSentAt {
                if cancel.isSet { cancelled = true }
                if !killSent && now - termSentAt >= killGrace {
                    signalGroup(pid, SIGKILL)
                    killSent = true
                }
                return
            }
            if cancel.isSet {
                cancelled = true
            } else if let deadline, now >= deadline {
                timedOut = true
            } else {
                return
            }
            signalGroup(pid, SIGTERM)
            termSentAt = now
        }

        private mutating func nextWait(_ now: ContinuousClock.Instant, polling: Bool) -> Duration {
            var wait = tick
            if !polling {
                // Pipes are closed but the child isn't reaped yet: usually it is exiting right
                // now, so look again soon, backing off in case it lives on without stdio.
                wait = idleWait
                idleWait = min(idleWait * 2, tick)
            }
            if exitedAt != nil {
                wait = min(wait, exitedAt! + drainGrace - now)
            } else if let termSentAt {
                if !killSent { wait = min(wait, termSentAt + killGrace - now) }
            } else if let deadline {
                wait = min(wait, deadline - now)
            }
            return wait
        }

        private mutating func pollOnce(_ now: ContinuousClock.Instant, _ buffer: UnsafeMutableRawBufferPointer) {
            var fds: [pollfd] = []
            for fd in [stdoutFD, stderrFD].compactMap({ $0 }) {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
            if let stdinFD { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            let timeout = pollMilliseconds(nextWait(now, polling: !fds.isEmpty))
            // <= 0: timed out, or EINTR; either way the loop re-evaluates everything.
            guard poll(&fds, nfds_t(fds.count), timeout) > 0 else { return }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    feedInput()
                } else if entry.fd == stdoutFD {
                    if !Self.read(entry.fd, buffer, into: &out) { Self.closeFD(&stdoutFD) }
                } else if entry.fd == stderrFD {
                    if !Self.read(entry.fd, buffer, into: &err) { Self.closeFD(&stderrFD) }
                }
            }
        }

        /// One read per wakeup keeps both streams progressing fairly; the buffer matches
        /// the default pipe capacity, so one read usually empties the pipe. Returns false at EOF.
        private static func read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, into capture: inout Capture) -> Bool {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                capture.append(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
                return true
            }
            return n < 0 && (errno == EAGAIN || errno == EINTR)
        }

        private mutating func feedInput() {
            guard let fd = stdinFD else { return }
            let offset = inputOffset
            let n = input.withUnsafeBytes { bytes in
                Glibc.write(fd, bytes.baseAddress! + offset, min(bytes.count - offset, 64 * 1024))
            }
            if n > 0 {
                inputOffset += n
                if inputOffset == input.count { Self.closeFD(&stdinFD) }
            } else if n < 0 && errno != EAGAIN && errno != EINTR {
                // EPIPE: the child stopped reading, which is its business. SIGPIPE is blocked
                // on this thread, so it surfaces only as this errno.
                Self.closeFD(&stdinFD)
            }
        }

        private static func closeFD(_ fd: inout Int32?) {
            if let open = fd { _ = close(open) }
            fd = nil
        }
    }
}
