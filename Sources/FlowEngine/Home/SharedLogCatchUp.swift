import FlowWAL
import Synchronization

/// Readers (`flow status`, `list`, `history`, `show`, the API) put back what only a dead
/// process's group-commit shared log holds before they read a journal, once per home per
/// process: after a crash of the machine a journal may otherwise read short, or without its
/// start record. It is the one write a reader makes, and only of bytes that were committed; it
/// takes no execution's lock, only the shared log's recovery lock (SharedLogRecovery). A reader
/// that may not write (another user, a read-only copy) reads what is there, as before.
///
/// Once per process suffices: a shared log goes dead without a machine crash only when its
/// process dies, and then the journals it covered are whole in the page cache.
enum SharedLogCatchUp {
    private static let done = Mutex<Set<String>>([])

    static func once(_ home: FlowHome) {
        let first = done.withLock { $0.insert(home.sharedLogDirectory).inserted }
        if first { _ = try? SharedLogRecovery.recover(directory: home.sharedLogDirectory) }
    }
}
