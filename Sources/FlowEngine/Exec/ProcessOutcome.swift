/// How a process ended and what it printed. A non-zero exit, a signal or a timeout is an
/// outcome, not an error: the workflow decides what it means.
public struct ProcessOutcome: Sendable, Hashable, Codable {
    /// nil when the process was killed by a signal.
    public var exitCode: Int32?
    /// The signal that terminated the process, if any.
    public var signal: Int32?
    /// The timeout expired and the engine started killing the process group. The child may
    /// still have exited on its own terms (e.g. it trapped SIGTERM and called exit), in which
    /// case `exitCode` is what it chose; usually it is nil and `signal` is SIGTERM or SIGKILL.
    public var timedOut: Bool
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Bytes dropped beyond `ProcessSpec.outputLimit`.
    public var stdoutTruncated: Int
    public var stderrTruncated: Int
    /// From just before the spawn until the child was reaped.
    public var duration: Duration

    public init(
        exitCode: Int32?,
        signal: Int32?,
        timedOut: Bool,
        stdout: [UInt8],
        stderr: [UInt8],
        stdoutTruncated: Int = 0,
        stderrTruncated: Int = 0,
        duration: Duration
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.duration = duration
    }
}

/// The process could not be started at all (no such command, not executable, bad working
/// directory, resource exhaustion). Distinct from a process that started and failed.
public struct ProcessLaunchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var argv0: String
    public var errno: Int32
    /// Human-readable, e.g. "cannot run 'nosuchcmd': No such file or directory".
    public var message: String

    public init(argv0: String, errno: Int32, message: String) {
        self.argv0 = argv0
        self.errno = errno
        self.message = message
    }

    public var description: String { message }
}
