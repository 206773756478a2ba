#if canImport(Glibc)
import Glibc
#endif

/// Group commit across the logs of one process on one file system: when many executions commit at
/// once, one flush makes all their records durable.
///
/// A log alone syncs as before: an fdatasync of its own segment. A log that commits while another
/// sync of the same file system is in flight waits for it to end, then joins the round that starts
/// next: one syncfs(2) for every log waiting, run by the thread that ran the previous sync (the
/// leader), which then wakes them all. A record appended before its log joined is covered, because
/// the round's syncfs starts after the join. A round of one log is an fdatasync of that log.
///
/// Why syncfs and not a log shared by the executions: each execution keeps its own journal (recovery,
/// status, history and the index read one directory), and one fdatasync per log is one write request,
/// one cache flush and two thread switches per step, which tops out at 5,000-7,500 steps/s on 2 CPUs
/// (docs/PERFORMANCE.md). syncfs writes back every dirty file of the file system and flushes the disk
/// cache once.
///
/// What it costs: a round also writes back other programs' dirty data on that file system, so a
/// process committing next to a bulk writer waits for it (a full test suite writing beside it made
/// a round take seconds). So it is opt-in (WALOptions.groupCommit, `--group-commit`), and a log
/// alone never uses syncfs.
/// Errors: syncfs reports a write-back error of any file on the file system since the waiting
/// segment was opened (Linux 5.8 and later); every log of that round then fails its commit and
/// becomes unusable, as after a failed fdatasync. A false alarm stops executions; it loses nothing.
final class GroupCommit: @unchecked Sendable {
    // @unchecked: every field below is read and written with `lock` held.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var syncing = false
    private var waiting: [Waiter] = []
    private var roundCount = 0
    private var largest = 0
    /// Called on the leader's thread before each round's flush, with the round's size (tests hold a
    /// round here to make the next one's membership certain).
    private let beforeRound: (@Sendable (Int) -> Void)?

    struct Waiter {
        let fd: Int32
        let path: String
        let continuation: CheckedContinuation<Void, any Error>
    }

    init(beforeRound: (@Sendable (Int) -> Void)? = nil) {
        self.beforeRound = beforeRound
        pthread_mutex_init(lock, nil)
    }

    /// Rounds run so far (syncs made).
    var rounds: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return roundCount
    }

    /// The most logs one round made durable.
    var largestRound: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return largest
    }

    /// Logs waiting for the next round (for tests).
    var waitingCount: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return waiting.count
    }

    /// Makes everything written to `fd` so far durable; the caller suspends meanwhile. `fd` must stay
    /// open until this returns (a WALWriter's owner is suspended here, so it cannot close it).
    func sync(fd: Int32, path: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pthread_mutex_lock(lock)
            waiting.append(Waiter(fd: fd, path: path, continuation: continuation))
            let lead = !syncing
            syncing = true
            pthread_mutex_unlock(lock)
            if lead { BlockingIO.threads.submit { self.lead() } }
        }
    }

    /// Runs rounds until nobody waits. Waiters that arrive during a round wait for the next one.
    private func lead() {
        while true {
            pthread_mutex_lock(lock)
            let round = waiting
            waiting.removeAll(keepingCapacity: true)
            if round.isEmpty {
                syncing = false
                pthread_mutex_unlock(lock)
                return
            }
            roundCount += 1
            largest = max(largest, round.count)
            pthread_mutex_unlock(lock)
            beforeRound?(round.count)
            let result = Result { try Self.flush(round) }
            for waiter in round { waiter.continuation.resume(with: result) }
        }
    }

    private static func flush(_ round: [Waiter]) throws {
        let first = round[0]
        if round.count == 1 { return try Sys.fdatasync(first.fd, path: first.path) }
        try Sys.syncfs(first.fd, path: first.path, logs: round.count)
    }

    /// The group for the file system holding `fd`, made on first use: one per device per process,
    /// kept for the process's life (a few bytes each). Nil where syncfs is not known to flush: the
    /// log then fdatasyncs its own segment.
    static func group(for fd: Int32, path: String) throws -> GroupCommit? {
        guard flushesOnSyncfs(try Sys.fileSystemType(fd, path: path)) else { return nil }
        return registry.group(for: try Sys.device(fd, path: path))
    }

    /// File systems whose syncfs writes back every dirty file and flushes the disk cache, failing
    /// on a write-back error: ext2/3/4, XFS, Btrfs, tmpfs (nothing to flush) and overlayfs (its
    /// upper file system's). Not FUSE (virtiofs, sshfs: a server may ignore it and report success)
    /// nor network file systems, whose fdatasync is the documented way to commit.
    static func flushesOnSyncfs(_ type: Int64) -> Bool {
        [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994, 0x794C_7630].contains(type)
    }

    /// Rounds run and the most logs one round covered, over every file system (for tests and
    /// benchmarks).
    static func statistics() -> (rounds: Int, largestRound: Int) {
        registry.all().reduce((0, 0)) { total, group in (total.0 + group.rounds, max(total.1, group.largestRound)) }
    }

    private static let registry = Registry()

    private final class Registry: @unchecked Sendable {
        // @unchecked: `groups` is read and written with `lock` held.
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private var groups: [UInt64: GroupCommit] = [:]

        init() { pthread_mutex_init(lock, nil) }

        func group(for device: UInt64) -> GroupCommit {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            if let group = groups[device] { return group }
            let group = GroupCommit()
            groups[device] = group
            return group
        }

        func all() -> [GroupCommit] {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            return Array(groups.values)
        }
    }
}

/// What group commit did in this process, over every file system (benchmarks and tests).
public enum GroupCommitStatistics {
    /// Syncs made for suspending commits: rounds of one log (fdatasync) and of several (syncfs).
    public static var rounds: Int { GroupCommit.statistics().rounds }
    /// The most logs one round made durable.
    public static var largestRound: Int { GroupCommit.statistics().largestRound }
}
