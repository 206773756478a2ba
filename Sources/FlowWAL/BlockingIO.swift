#if canImport(Glibc)
import Glibc
#endif

/// Runs a blocking system call (an fdatasync) on a thread of its own and suspends the caller
/// until it is done.
///
/// Swift's cooperative pool has one thread per CPU. A caller that blocks in fdatasync holds one of
/// them for the length of a disk flush, so on 2 CPUs at most 2 syncs are in flight however many
/// executions a process drives. Here every sync waits on its own thread, so the syncs of 100
/// executions are in flight together and the block layer merges their cache flushes (group commit
/// across files), while the pool's threads go on running Lua.
public enum BlockingIO {
    /// Runs `work` on a blocking-I/O thread; the caller suspends meanwhile (it is not cancellable:
    /// the work always finishes, so a file descriptor is never closed under a running fdatasync).
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.run(work)
    }

    /// More than a disk queues (virtio: 128 requests), so the disk, not the pool, limits the syncs
    /// in flight; idle threads leave after a few seconds.
    static let threads = BlockingThreads(maxThreads: 128, idleSeconds: 5)
}

/// A pool of threads for blocking calls: a thread is started when a job arrives and none is idle
/// (up to `maxThreads`), and leaves after `idleSeconds` without work.
final class BlockingThreads: @unchecked Sendable {
    // @unchecked: every field below is read and written with `lock` held.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [@Sendable () -> Void] = []
    private var next = 0
    private var idle = 0
    private(set) var started = 0
    private var running = 0
    private var busy = 0
    private var peak = 0
    let maxThreads: Int
    let idleSeconds: Int

    init(maxThreads: Int, idleSeconds: Int) {
        self.maxThreads = maxThreads
        self.idleSeconds = idleSeconds
        pthread_mutex_init(lock, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Idle timeouts on the monotonic clock: a wall-clock step must not keep threads or end them early.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wake, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    /// Threads alive now (for tests).
    var threadCount: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return running
    }

    /// The most jobs that ran at once since the last call (for tests and benchmarks).
    func takePeak() -> Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let p = peak
        peak = busy
        return p
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(lock)
        jobs.append(job)
        // A new thread only when the jobs waiting outnumber the idle threads that will take them.
        let spawn = jobs.count - next > idle && running < maxThreads
        if spawn {
            running += 1
            started += 1
        }
        pthread_mutex_unlock(lock)
        if spawn, !startThread() {
            // No thread could be started (resources): the job waits for a running one; with
            // none running, it runs here rather than never.
            pthread_mutex_lock(lock)
            running -= 1
            let orphaned = running == 0
            pthread_mutex_unlock(lock)
            if orphaned { return drainHere() }
        }
        pthread_cond_signal(wake)
    }

    private func startThread() -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // A job is a system call and a continuation resume: a small stack is plenty.
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, &attributes, { context in
            let pool = Unmanaged<BlockingThreads>.fromOpaque(context!).takeRetainedValue()
            pool.work()
            return nil
        }, context)
        if rc != 0 { Unmanaged<BlockingThreads>.fromOpaque(context).release() }
        return rc == 0
    }

    private func drainHere() {
        while let job = take() { job() }
    }

    private func take() -> (@Sendable () -> Void)? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return dequeue()
    }

    /// With `lock` held.
    private func dequeue() -> (@Sendable () -> Void)? {
        guard next < jobs.count else { return nil }
        let job = jobs[next]
        next += 1
        if next == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            next = 0
        }
        return job
    }

    /// A thread's loop: runs jobs until none has come for `idleSeconds`.
    private func work() {
        pthread_mutex_lock(lock)
        while true {
            if let job = dequeue() {
                busy += 1
                peak = max(peak, busy)
                pthread_mutex_unlock(lock)
                job()
                pthread_mutex_lock(lock)
                busy -= 1
                continue
            }
            var deadline = timespec()
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            deadline.tv_sec += idleSeconds
            idle += 1
            let rc = pthread_cond_timedwait(wake, lock, &deadline)
            idle -= 1
            if rc == ETIMEDOUT && next == jobs.count {
                running -= 1
                pthread_mutex_unlock(lock)
                return
            }
        }
    }
}
