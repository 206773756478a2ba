import Synchronization

/// Which files and directories FlowWAL has synced, in order, while a test is watching.
///
/// The order of syncs is what makes a creation survive a power cut (a file before the rename
/// that names it, a directory entry before the record that relies on it), and nothing short of
/// cutting the power shows it; this lets a test read it instead. It records nothing unless
/// `start()` was called; either way each sync takes one uncontended lock to look, next to the
/// fraction of a millisecond of the sync itself.
public enum SyncWitness {
    public struct Sync: Sendable, Equatable {
        public let path: String
        /// "fsync" or "fdatasync".
        public let call: String
    }

    private static let log = Mutex<[Sync]?>(nil)

    /// Starts recording, dropping what an earlier `start` recorded.
    public static func start() { log.withLock { $0 = [] } }

    /// Stops recording and forgets what was recorded.
    public static func stop() { log.withLock { $0 = nil } }

    /// What was recorded since `start`, under `prefix` only (tests run side by side).
    public static func syncs(under prefix: String) -> [Sync] {
        log.withLock { ($0 ?? []).filter { $0.path.hasPrefix(prefix) } }
    }

    static func note(_ path: String, call: String) {
        log.withLock { $0?.append(Sync(path: path, call: call)) }
    }
}
