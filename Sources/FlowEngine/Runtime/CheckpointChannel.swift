import FlowLua
import Synchronization

/// Step checkpoints (`StepContext.checkpoint`) from a step function, which runs in a child task,
/// to the runner, which alone writes the journal: the runner journals each one and syncs it, and
/// only then does the step's call return. Closed when the invocation ends: a step still waiting
/// then gets `CancellationError` (it is being stopped), and the runner's receive gets nil.
final class CheckpointChannel: Sendable {
    struct Request: Sendable {
        var value: LuaValue
        let done: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Request] = []
        var receiver: CheckedContinuation<Request?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// For the step: returns once the runner has made `value` durable.
    func send(_ value: LuaValue) async throws {
        try Task.checkCancellation()
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let request = Request(value: value, done: done)
            let (receiver, refused) = state.withLock { s -> (CheckedContinuation<Request?, Never>?, Bool) in
                if s.closed { return (nil, true) }
                if let r = s.receiver {
                    s.receiver = nil
                    return (r, false)
                }
                s.waiting.append(request)
                return (nil, false)
            }
            if refused {
                done.resume(throwing: CancellationError())
            } else if let receiver {
                receiver.resume(returning: request)
            }
        }
    }

    /// For the runner: the next checkpoint to journal, or nil once closed.
    func receive() async -> Request? {
        await withCheckedContinuation { (receiver: CheckedContinuation<Request?, Never>) in
            let ready: Request?? = state.withLock { s in
                if !s.waiting.isEmpty { return .some(s.waiting.removeFirst()) }
                if s.closed { return .some(nil) }
                s.receiver = receiver
                return .none
            }
            if let ready { receiver.resume(returning: ready) }
        }
    }

    /// No more checkpoints: a waiting receive returns nil, waiting steps get `CancellationError`.
    func close() {
        let (receiver, waiting) = state.withLock { s in
            s.closed = true
            defer { s.receiver = nil; s.waiting = [] }
            return (s.receiver, s.waiting)
        }
        receiver?.resume(returning: nil)
        for request in waiting { request.done.resume(throwing: CancellationError()) }
    }
}
