import Foundation

/// The disk's own group commit: `files` threads, each running `RawSyncLoop` (one write + one
/// fdatasync, `count` times) on a file of its own, all at once. This is the most any design with
/// one log per execution can get from concurrent fdatasyncs on this file system.
enum RawParallelSync {
    /// Seconds from the start of the first loop to the end of the last.
    static func run(directory: String, files: Int, recordBytes: Int, count: Int) throws -> Double {
        let done = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let failures = FailureBox()
        for k in 0..<files {
            done.enter()
            let thread = Thread {
                go.wait()
                do {
                    _ = try RawSyncLoop.run(path: directory + "/raw-parallel-\(k).bin", recordBytes: recordBytes, count: count)
                } catch {
                    failures.add(error)
                }
                done.leave()
            }
            thread.start()
        }
        let start = ContinuousClock.now
        for _ in 0..<files { go.signal() }
        done.wait()
        let seconds = BenchClock.seconds(since: start)
        if let error = failures.first { throw error }
        return seconds
    }
}

/// The first error of several threads.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []

    func add(_ error: Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }

    var first: Error? {
        lock.lock()
        defer { lock.unlock() }
        return errors.first
    }
}
