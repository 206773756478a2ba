import FlowEngine

/// Waiting inside a simulated call, on the StepContext's clock only.
enum VirtualWaiting {
    /// Sleeps `seconds` of the run's clock. At the engine's deadline for this attempt the body
    /// gives way (CancellationError) so the engine's own Timeout is what the script sees, as it
    /// would be in real time.
    static func sleep(_ context: StepContext, seconds: Double) async throws {
        try await context.sleep(seconds: max(0, seconds))
        if let deadline = context.deadline, context.clock.now() >= deadline { throw CancellationError() }
    }

    enum Look<T: Sendable>: Sendable {
        case done(T)
        /// Not yet; what was seen, for the Timeout message.
        case waiting(String)
    }

    /// As the ecs plugin polls: a look every `every` seconds until done, or `Timeout` (not
    /// retryable, with what was last seen) once `timeout` seconds have passed; the last look is
    /// at the deadline.
    static func poll<T: Sendable>(_ context: StepContext, timeout: Double, every: Double, waitingFor what: String,
                                  _ look: () throws -> Look<T>) async throws -> T {
        let deadline = context.clock.now() + Millis((timeout * 1000).rounded())
        while true {
            try Task.checkCancellation()
            switch try look() {
            case .done(let value):
                return value
            case .waiting(let seen):
                let now = context.clock.now()
                guard now < deadline else {
                    throw StepFailure("Timeout", "\(what) within \(formatNumber(timeout)) s; last seen: \(seen)", retryable: false)
                }
                try await sleep(context, seconds: min(every, Double(deadline - now) / 1000))
            }
        }
    }
}
