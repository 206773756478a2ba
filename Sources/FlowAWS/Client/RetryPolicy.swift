/// When and how long to wait before trying an AWS call again.
///
/// Backoff is capped exponential with full jitter (AWS Architecture Blog, "Exponential Backoff and
/// Jitter"): after the failed attempt number `n` (0 for the first attempt) the client sleeps
///
///     delay(n) = random(0, min(cap, base * 2^n))
///
/// Full jitter spreads clients that failed together (a throttled fleet) instead of having them
/// retry in lock-step. A retry is skipped when its delay would overrun `totalTimeout`.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first one included.
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration
    public var perAttemptTimeout: Duration
    public var totalTimeout: Duration
    /// Returns a uniform value in `0...upperBound` (seconds); injectable for deterministic tests.
    public var random: @Sendable (_ upperBound: Double) -> Double
    /// Waits between attempts; tests inject one that records and returns at once.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(maxAttempts: Int = 5, base: Duration = .milliseconds(100), cap: Duration = .seconds(20),
                perAttemptTimeout: Duration = .seconds(20), totalTimeout: Duration = .seconds(120),
                random: @escaping @Sendable (Double) -> Double = { $0 > 0 ? Double.random(in: 0...$0) : 0 },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.cap = cap
        self.perAttemptTimeout = perAttemptTimeout
        self.totalTimeout = totalTimeout
        self.random = random
        self.sleep = sleep
    }

    public static let `default` = RetryPolicy()

    /// The ceiling of the jittered delay after failed attempt `attempt` (0-based): min(cap, base * 2^attempt).
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let capSeconds = cap.seconds
        // 2^attempt overflows nothing here: beyond 2^62 the cap has long been reached.
        let raw = base.seconds * Double(1 << UInt64(min(attempt, 62)))
        return .seconds(min(capSeconds, raw))
    }

    /// The delay after failed attempt `attempt` (0-based): random(0, ceiling).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let upper = ceiling(afterAttempt: attempt).seconds
        return .seconds(min(upper, max(0, random(upper))))
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
