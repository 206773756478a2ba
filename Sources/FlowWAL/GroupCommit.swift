#if canImport(Glibc)
import Glibc
#endif

/// Group commit across the logs of one process: when many executions commit at once, one
/// fdatasync of one shared file makes all their records durable.
///
/// A log appends its records to its own segment as always (no sync). To commit, it hands the
/// bytes appended since its last commit to its group as a frame (SharedLogFrame) and suspends. The
/// first log to commit while no round is running becomes the leader: on a blocking-I/O thread it
/// appends every waiting frame to the shared log (a generation, SharedLogGeneration) and
/// fdatasyncs it once, wakes those logs, and goes on with whoever queued meanwhile. A frame
/// appended after its log's bytes were written is covered by the round that writes it.
///
/// Why a shared log: one fdatasync per log is one write request, one cache flush and two thread
/// switches per step (5,000-7,500 steps/s on 2 CPUs), and a syncfs of many logs still writes one
/// page per log and waits for every other writer of the file system (docs/PERFORMANCE.md). A
/// round here is one write of a few KiB and one flush, whatever else the machine writes.
///
/// The price is recovery: after a crash of the machine the logs' own segments may lack records
/// that only the shared log holds, so every open of a log for writing first runs
/// SharedLogRecovery over the generations of dead processes. A generation is retired (its
/// segments fdatasynced, then removed) when it passes `generationBytes`, and by `finish()`.
/// Opt-in (WALOptions.groupCommit) while that path is young.
///
/// Errors: a failed round fails every log in it, each of which then refuses work, as after a
/// failed fdatasync; the next round starts a new generation (the failed one is recovered once
/// this process is gone).
final class GroupCommit: @unchecked Sendable {
    // @unchecked: the fields below are read and written with `lock` held, except `generation`,
    // which only the leader touches (one at a time: `syncing` hands the role over under `lock`).
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var syncing = false
    private var waiting: [Waiter] = []
    private var roundCount = 0
    private var largest = 0
    private var roundTime = Duration.zero
    private var generation: SharedLogGeneration?
    /// The shared log directory, and its parent, to which frames' segment paths are relative.
    let directory: String
    let base: String
    /// A generation past this size is retired after its round.
    let generationBytes: UInt64
    /// Called on the leader's thread before each round's write, with the round's size (tests hold a
    /// round here to make the next one's membership certain, or fail it).
    private let beforeRound: (@Sendable (Int) throws -> Void)?

    struct Waiter {
        let frame: [UInt8]
        let segment: String
        let continuation: UnsafeContinuation<Void, any Error>
    }

    init(directory: String, generationBytes: UInt64 = 16 << 20,
         beforeRound: (@Sendable (Int) throws -> Void)? = nil)
    {
        self.directory = directory
        self.base = Sys.parentDirectory(directory)
        self.generationBytes = generationBytes
        self.beforeRound = beforeRound
        pthread_mutex_init(lock, nil)
    }

    /// Rounds run so far (fdatasyncs of the shared log).
    var rounds: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return roundCount
    }

    /// The most frames one round made durable.
    var largestRound: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return largest
    }

    /// Time spent writing and syncing rounds.
    var time: Duration {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return roundTime
    }

    /// Logs waiting for the next round (for tests).
    var waitingCount: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return waiting.count
    }

    /// Makes `frame` (bytes already written to `segment`) durable; the caller suspends meanwhile.
    func commit(frame: [UInt8], segment: String) async throws {
        // Unsafe: resumed exactly once, by the leader after the round (one allocation less per commit).
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            pthread_mutex_lock(lock)
            waiting.append(Waiter(frame: frame, segment: segment, continuation: continuation))
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
            let began = ContinuousClock.now
            let result = Result { try write(round) }
            let took = ContinuousClock.now - began
            pthread_mutex_lock(lock)
            roundTime += took
            pthread_mutex_unlock(lock)
            for waiter in round { waiter.continuation.resume(with: result) }
        }
    }

    private func write(_ round: [Waiter]) throws {
        try beforeRound?(round.count)
        let current = try generation ?? SharedLogGeneration.create(in: directory)
        generation = current
        do {
            try current.append(frames: round.map(\.frame), from: round.map(\.segment))
            try current.sync()
        } catch {
            // Its writer refuses work now; the frames it did sync are recovered after this process.
            generation = nil
            throw error
        }
        if current.size >= generationBytes {
            generation = nil
            BlockingIO.threads.submit { try? current.retire() }
        }
    }

    /// Retires the current generation (see the type), waiting for a running round to end first.
    /// For the end of the process; commits after it start a new generation. When rounds keep
    /// running for 10 s (executions still committing), it gives up and leaves the generation to
    /// be retired later or recovered after the process: nothing is lost either way.
    func finish() throws {
        let giveUp = ContinuousClock.now + .seconds(10)
        pthread_mutex_lock(lock)
        while syncing {
            pthread_mutex_unlock(lock)
            if ContinuousClock.now > giveUp {
                throw WALError(code: .io, message: "the shared log in \(directory) is still committing after 10 s; "
                    + "it stays, and is recovered after this process", path: directory)
            }
            usleep(1_000)
            pthread_mutex_lock(lock)
        }
        let current = generation
        generation = nil
        pthread_mutex_unlock(lock)
        try current?.retire()
    }

    /// The group for a shared log directory, made on first use and kept for the process's life.
    static func group(for directory: String) -> GroupCommit { registry.group(for: directory) }

    /// Rounds run, the most frames one round covered and the time spent in rounds, over every
    /// group (for tests and benchmarks).
    static func statistics() -> (rounds: Int, largestRound: Int, time: Duration) {
        registry.all().reduce((0, 0, .zero)) { total, group in
            (total.0 + group.rounds, max(total.1, group.largestRound), total.2 + group.time)
        }
    }

    static func finishAll() throws {
        var first: (any Error)?
        for group in registry.all() {
            do { try group.finish() } catch { first = first ?? error }
        }
        if let first { throw first }
    }

    private static let registry = Registry()

    private final class Registry: @unchecked Sendable {
        // @unchecked: `groups` is read and written with `lock` held.
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private var groups: [String: GroupCommit] = [:]

        init() { pthread_mutex_init(lock, nil) }

        func group(for directory: String) -> GroupCommit {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            if let group = groups[directory] { return group }
            let group = GroupCommit(directory: directory)
            groups[directory] = group
            return group
        }

        func all() -> [GroupCommit] {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            return Array(groups.values)
        }
    }
}

/// What group commit did in this process, and its end.
public enum GroupCommitStatistics {
    /// fdatasyncs of shared logs made for suspending commits.
    public static var rounds: Int { GroupCommit.statistics().rounds }
    /// The most logs one round made durable.
    public static var largestRound: Int { GroupCommit.statistics().largestRound }
    /// Time the leaders spent writing and syncing rounds.
    public static var roundTime: Duration { GroupCommit.statistics().time }
}

public enum SharedCommitLogs {
    /// Retires every shared log of this process: each segment they cover is fdatasynced and the
    /// shared logs removed. For the end of a process that committed with group commit (a process
    /// that ends without it leaves them for the next open of a log to recover).
    public static func finish() throws { try GroupCommit.finishAll() }
}
