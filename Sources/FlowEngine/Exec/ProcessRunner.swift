import Glibc
import Synchronization

/// Runs `flow.exec` processes: posix_spawn into a fresh process group, stdio over O_CLOEXEC
/// pipes, supervised by a dedicated thread so the cooperative pool never blocks on a child.
public enum ProcessRunner {
    /// Runs the process to completion. Cancellation of the calling Task kills the child's
    /// process group (SIGTERM, then SIGKILL after `killGrace`, or at once when the child has
    /// already exited) and then throws CancellationError. If the child finished before the
    /// cancellation was noticed, its outcome is returned instead.
    /// Throws `ProcessLaunchError` when the process cannot be started.
    public static func run(_ spec: ProcessSpec) async throws -> ProcessOutcome {
        try Task.checkCancellation()
        let cancel = CancelFlag()
        let completion = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Completion, any Error>) in
                let started = startThread {
                    continuation.resume(with: Result { try supervise(spec, cancel: cancel) })
                }
                if let failure = started {
                    let argv0 = spec.argv.first ?? ""
                    continuation.resume(throwing: ProcessLaunchError(
                        argv0: argv0, errno: failure,
                        message: "cannot run '\(argv0)': no thread to supervise it: \(LaunchPlan.describe(failure))"
                    ))
                }
            }
        } onCancel: {
            cancel.set()
        }
        switch completion {
        case .finished(let outcome): return outcome
        case .cancelled: throw CancellationError()
        }
    }

    /// Body of the dedicated thread.
    private static func supervise(_ spec: ProcessSpec, cancel: CancelFlag) throws -> Completion {
        // Writing to a stdin pipe the child has closed raises SIGPIPE, which would kill the
        // whole engine. Blocking it on this thread only (rather than ignoring it process-wide)
        // turns it into EPIPE; the pending signal dies with the thread.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

        if cancel.isSet { return .cancelled }
        let started = ContinuousClock.now
        let child = try spawn(spec)
        var supervisor = Supervisor(child: child, spec: spec, started: started, cancel: cancel)
        return supervisor.run()
    }

    /// Set from the task's cancellation handler, which may run on any thread at any time;
    /// the supervisor polls it at least every `tick`.
    final class CancelFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        var isSet: Bool { flag.load(ordering: .acquiring) }
        func set() { flag.store(true, ordering: .releasing) }
    }

    private final class ThreadBody {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// A detached pthread per run: the work is blocking syscalls, which is what threads are
    /// for, and a run lasts as long as its child, so a shared pool would need to be unbounded
    /// anyway. Returns the errno on failure.
    private static func startThread(_ body: @escaping @Sendable () -> Void) -> Int32? {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        // The loop keeps its buffers on the heap; 8 MiB of default stack per child is waste.
        pthread_attr_setstacksize(&attr, 512 * 1024)
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attr, { raw in
            Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return rc
        }
        return nil
    }
}
