/// The time an execution lives in. The engine reads the time and waits only through this, so
/// `flow test` can run a workflow under a virtual clock that jumps over a 24-hour bake at once.
public protocol RunClock: Sendable {
    /// Wall-clock time in journal units.
    func now() -> Millis
    /// Returns at `deadline` (nil: none) or after `poll`, whichever comes first; the caller looks
    /// for messages and stop requests in between. A virtual clock jumps to the deadline or to the
    /// next thing scheduled, whichever is earlier.
    func wait(until deadline: Millis?, poll: Duration) async
    /// Time passing inside a step (a mocked call that takes 40 s). Throws `CancellationError` if
    /// the step is cancelled first. `stoppingAt`: the step's timeout deadline; a virtual clock
    /// stops there and lets the engine's timeout win, as it would in real time.
    func sleep(seconds: Double, stoppingAt: Millis?) async throws
    /// The engine stops driving (as after Ctrl-C, resumable) when this turns true: a virtual clock
    /// says so when nothing is left to wait for.
    var isExhausted: Bool { get }
    /// Time that jumps rather than passes: the engine looks for a step's timeout more often.
    var isVirtual: Bool { get }
}

/// The real clock: CLOCK_REALTIME for timestamps and deadlines, real sleeps.
public struct SystemClock: RunClock {
    public init() {}

    public func now() -> Millis { WallClock.now() }

    public func wait(until deadline: Millis?, poll: Duration) async {
        var step = poll
        if let deadline {
            let left = deadline - now()
            if left <= 0 { return }
            step = min(step, .milliseconds(left))
        }
        try? await Task.sleep(for: step)
    }

    public func sleep(seconds: Double, stoppingAt: Millis?) async throws {
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }

    public var isExhausted: Bool { false }
    public var isVirtual: Bool { false }
}
