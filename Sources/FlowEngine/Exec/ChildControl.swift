import Glibc

extension ProcessRunner {
    struct ExitStatus {
        var code: Int32?
        var signal: Int32?
    }

    /// Whether the child has terminated, without reaping it. While it stays a zombie its pid
    /// cannot be recycled, and since it leads its own group, neither can the group id: the
    /// group can be signalled right up to the reap without hitting an unrelated process.
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                // Linux zeroes siginfo when WNOHANG finds nothing to report.
                return info._sifields._sigchld.si_pid != 0
            }
            // ECHILD would mean someone else reaped it (a waitpid(-1) elsewhere); treat the
            // child as gone rather than spin forever.
            if errno != EINTR { return true }
        }
    }

    static func reap(_ pid: pid_t) -> ExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return ExitStatus(code: nil, signal: nil) }
        }
        // WIFEXITED/WTERMSIG are C macros Swift can't import; this is their glibc definition.
        let termSignal = status & 0x7f
        if termSignal == 0 { return ExitStatus(code: (status >> 8) & 0xff, signal: nil) }
        return ExitStatus(code: nil, signal: termSignal)
    }

    /// Only called while the leader is unreaped (see `hasExited`), so the group id is ours.
    static func signalGroup(_ pid: pid_t, _ signal: Int32) {
        _ = killpg(pid, signal)
    }

    /// Rounds up so a poll never wakes just before a deadline and spins.
    static func pollMilliseconds(_ d: Duration) -> Int32 {
        let (seconds, attoseconds) = d.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
