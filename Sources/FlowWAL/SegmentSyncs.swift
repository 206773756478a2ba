#if canImport(Glibc)
import Glibc
#endif

/// fdatasyncs many segments at once, each on a blocking-I/O thread, and waits for all: retiring a
/// shared log of 100 executions costs about one flush (the block layer merges flushes in flight
/// together), not 100 one after another.
enum SegmentSyncs {
    /// A segment that is gone was removed by its log (only once durable) or with its log: passed over.
    /// Throws the first error after every sync has ended.
    static func run(_ paths: [String]) throws {
        guard !paths.isEmpty else { return }
        let done = Countdown(paths.count)
        for path in paths {
            BlockingIO.threads.submit {
                done.finish(Result { try sync(path) })
            }
        }
        if let error = done.wait() { throw error }
    }

    static func sync(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if Sys.lastErrno == ENOENT { return }
            throw WALError.io("open for a group-commit sync", path, errno: Sys.lastErrno)
        }
        defer { Sys.close(fd) }
        try Sys.fdatasync(fd, path: path)
    }

    final class Countdown: @unchecked Sendable {
        // @unchecked: `left` and `error` are read and written with `lock` held.
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let ended = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private var left: Int
        private var error: (any Error)?

        init(_ count: Int) {
            left = count
            pthread_mutex_init(lock, nil)
            pthread_cond_init(ended, nil)
        }

        deinit {
            pthread_cond_destroy(ended)
            pthread_mutex_destroy(lock)
            ended.deallocate()
            lock.deallocate()
        }

        func finish(_ result: Result<Void, any Error>) {
            pthread_mutex_lock(lock)
            if case .failure(let e) = result, error == nil { error = e }
            left -= 1
            if left == 0 { pthread_cond_broadcast(ended) }
            pthread_mutex_unlock(lock)
        }

        func wait() -> (any Error)? {
            pthread_mutex_lock(lock)
            while left > 0 { pthread_cond_wait(ended, lock) }
            let e = error
            pthread_mutex_unlock(lock)
            return e
        }
    }
}
