#if canImport(Glibc)
import Glibc
#endif

/// Test hook, beside the engine's own: `FLOW_CRASH_AT=after-decision:N` SIGKILLs the watcher
/// right after its Nth `start` decision is journaled, before the execution exists: the window a
/// restart must close by creating that execution under the same id.
struct WatchCrashPoint: Sendable {
    let starts: Int

    static func fromEnvironment() -> WatchCrashPoint? {
        guard let raw = getenv("FLOW_CRASH_AT").map({ String(cString: $0) }), raw.hasPrefix("after-decision:"),
              let n = Int(raw.dropFirst("after-decision:".count)) else { return nil }
        return WatchCrashPoint(starts: n)
    }

    func hit(startsJournaled: Int) {
        if startsJournaled == starts { kill(getpid(), SIGKILL) }
    }
}
