import FlowEngine

/// One look at the world while waiting inside a single step call.
enum PollStep<T: Sendable>: Sendable {
    case done(T)
    /// Not yet; what was seen, for the Timeout message.
    case waiting(String)
}

/// Asks `probe` every `every` seconds until it is done or `timeout` seconds have passed (the last
/// look is at the deadline). The journal records only the outcome, however many looks it took.
/// Cancellation (Ctrl-C, `flow cancel`) ends the wait at once with `CancellationError`.
func poll<T: Sendable>(timeout: Double, every: Double, waitingFor what: String,
                       _ probe: () async throws -> PollStep<T>) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(Int64(timeout * 1000))
    while true {
        try Task.checkCancellation()
        switch try await probe() {
        case .done(let value):
            return value
        case .waiting(let seen):
            let now = clock.now
            guard now < deadline else {
                throw StepFailure("Timeout", "\(what) within \(seconds(timeout)) s; last seen: \(seen)", retryable: false)
            }
            try await clock.sleep(until: min(now + .milliseconds(Int64(every * 1000)), deadline))
        }
    }
}

/// 600 rather than 600.0.
func seconds(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
}
