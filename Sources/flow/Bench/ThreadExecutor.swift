import Foundation

/// A task executor with one OS thread of its own. A durable `flow.step` commits with a blocking
/// fdatasync on whatever thread runs the runner, and the default pool has one thread per CPU: so
/// on 2 CPUs at most 2 executions sync at once however many run. A runner started with
/// `executorPreference: ThreadExecutor()` runs on its own thread, so N executions have N syncs in
/// flight and the kernel can share journal commits between them.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 8 << 20  // Lua and the Swift runtime's async frames, as on the main pool
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once its queue is empty. Call when no task prefers this executor any more.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
