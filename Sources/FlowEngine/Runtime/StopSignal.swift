import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C and SIGTERM ask the running execution to stop at the next safe point (between
/// steps, or by abandoning an in-flight wait or process), leaving it resumable.
public enum StopSignal {
    static let requested = Atomic<Int32>(0)

    public static var isRequested: Bool { requested.load(ordering: .relaxed) != 0 }

    public static func request(_ signal: Int32) { requested.store(signal, ordering: .relaxed) }

    /// Installs handlers for SIGINT and SIGTERM. A second Ctrl-C exits at once.
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { sig in
            if StopSignal.requested.load(ordering: .relaxed) != 0 { _exit(130) }
            StopSignal.requested.store(sig, ordering: .relaxed)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}

/// Test hook: `FLOW_CRASH_AT=POINT:SEQ` kills the process with SIGKILL at that point, so crash
/// tests can stop a real process at an exact place in the protocol (e.g. `after-intent:3`).
struct CrashPoint: Sendable {
    let point: String
    let seq: Int

    static func fromEnvironment() -> CrashPoint? {
        guard let raw = getenv("FLOW_CRASH_AT").map({ String(cString: $0) }) else { return nil }
        let parts = raw.split(separator: ":")
        guard parts.count == 2, let seq = Int(parts[1]) else { return nil }
        return CrashPoint(point: String(parts[0]), seq: seq)
    }

    func hit(_ point: String, seq: Int) {
        if point == self.point && seq == self.seq { kill(getpid(), SIGKILL) }
    }
}
