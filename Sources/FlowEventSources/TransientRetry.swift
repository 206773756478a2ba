import FlowAWS
import Logging

/// Retries a call that failed transiently until it succeeds or the task is cancelled: the AWS
/// client already retried a few times, but a source must outlast a throttled minute or a network
/// outage, so it keeps going with capped backoff (full jitter, as `RetryPolicy`) and logs each
/// failure. Anything not transient is fatal and thrown at once.
struct TransientRetry: Sendable {
    var base: Duration
    var cap: Duration
    var logger: Logger
    /// The source's name, in log lines.
    var source: String

    init(options: EventSourceOptions, source: String) {
        base = options.retryBase
        cap = options.retryCap
        logger = options.logger
        self.source = source
    }

    /// Whether another attempt may succeed: what the AWS client calls retryable (throttling, 5xx,
    /// network, timeouts). Credentials and client errors (no such queue, access denied) are not.
    static func isTransient(_ error: any Error) -> Bool {
        (error as? AWSError)?.isRetryable ?? false
    }

    /// The delay after `failures` consecutive failures (1 = the first): random(0, min(cap, base * 2^(n-1))).
    func delay(afterFailures failures: Int) -> Duration {
        let ceiling = min(cap.inSeconds, base.inSeconds * Double(1 << UInt64(min(max(failures - 1, 0), 40))))
        return .seconds(Double.random(in: 0...max(ceiling, 0)))
    }

    func run<T: Sendable>(_ what: String, _ call: () async throws -> T) async throws -> T {
        var failures = 0
        while true {
            try Task.checkCancellation()
            do {
                let value = try await call()
                if failures > 0 {
                    logger.info("event source recovered", metadata: ["source": "\(source)", "call": "\(what)",
                                                                      "failures": "\(failures)"])
                }
                return value
            } catch {
                // A cancelled HTTP request may surface as a network error: cancellation wins.
                try Task.checkCancellation()
                guard Self.isTransient(error) else { throw error }
                failures += 1
                let wait = delay(afterFailures: failures)
                logger.warning("event source call failed, retrying", metadata: [
                    "source": "\(source)", "call": "\(what)", "failures": "\(failures)",
                    "retry_in_ms": "\(Int(wait.inSeconds * 1000))", "error": "\(error)",
                ])
                try await Task.sleep(for: wait)
            }
        }
    }
}
