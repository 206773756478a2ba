import Synchronization

/// Time that jumps instead of passing, for `flow test`: a wait returns at once at its deadline,
/// or earlier at the next scheduled thing (a signal, a change in the simulated cloud), which
/// happens exactly then. A 24-hour bake takes no real time, and the journal shows the virtual
/// instants, so a test can assert "fail-back began at minute 12".
///
/// One execution drives it: the engine waits in one place at a time. A wait with nothing ahead
/// (no deadline, nothing scheduled) runs the clock to its horizon, and the clock is exhausted:
/// the engine stops as after Ctrl-C and the test reports what the workflow was waiting for.
public final class VirtualClock: RunClock {
    struct Scheduled {
        var at: Millis
        var order: Int
        var action: @Sendable () -> Void
    }

    struct State {
        var now: Millis
        var queue: [Scheduled] = []
        var scheduledCount = 0
        var exhausted = false
    }

    public let start: Millis
    public let horizon: Millis
    private let state: Mutex<State>

    /// `start`: the virtual wall-clock time the run begins at; `horizon`: how far it may go.
    public init(start: Millis, horizon: Millis) {
        self.start = start
        self.horizon = horizon
        state = Mutex(State(now: start))
    }

    /// Runs `action` when the virtual time reaches `at` (things at the same instant run in the
    /// order they were scheduled).
    public func schedule(at: Millis, _ action: @escaping @Sendable () -> Void) {
        state.withLock { s in
            s.scheduledCount += 1
            s.queue.append(Scheduled(at: at, order: s.scheduledCount, action: action))
            s.queue.sort { ($0.at, $0.order) < ($1.at, $1.order) }
        }
    }

    public func now() -> Millis { state.withLock { $0.now } }

    public var isExhausted: Bool { state.withLock { $0.exhausted } }
    public var isVirtual: Bool { true }

    /// Seconds since the start, for reports.
    public var elapsedSeconds: Double { Double(now() - start) / 1000 }

    public func wait(until deadline: Millis?, poll: Duration) async {
        let target = min(deadline ?? horizon, horizon)
        // Only as far as the next scheduled thing: the engine looks at what it did before the
        // time moves on (a signal posted at minute 5 is taken at minute 5).
        let next = state.withLock { s in s.queue.first.map { min($0.at, target) } ?? target }
        advance(to: next)
        if next >= horizon, deadline.map({ $0 >= horizon }) ?? true {
            state.withLock { $0.exhausted = true }
        }
        await Task.yield()
    }

    public func sleep(seconds: Double, stoppingAt: Millis?) async throws {
        let target = now() + Millis((seconds * 1000).rounded(.up))
        if let stop = stoppingAt, stop < target {
            advance(to: stop)
            // The step's timeout has come: stay here until the engine, seeing the deadline
            // passed, cancels the step.
            while true { try await Task.sleep(for: .milliseconds(1)) }
        }
        advance(to: min(target, horizon))
        if target > horizon {
            state.withLock { $0.exhausted = true }
            while true { try await Task.sleep(for: .milliseconds(1)) }
        }
        try Task.checkCancellation()
    }

    /// Moves the time to `t`, running what is scheduled up to it at its own instant.
    func advance(to t: Millis) {
        while true {
            let due: Scheduled? = state.withLock { s in
                guard let first = s.queue.first, first.at <= t else {
                    s.now = max(s.now, t)
                    return nil
                }
                s.queue.removeFirst()
                s.now = max(s.now, first.at)
                return first
            }
            guard let due else { return }
            due.action()
        }
    }
}
