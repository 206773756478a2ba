import FlowLua

/// When a failed attempt is tried again, as in Step Functions' `Retry` and Temporal's
/// RetryPolicy. The delay before attempt n+1 (n = attempts so far, from 1) is
///
///     base(n) = min(initial * backoff^(n-1), max_interval)
///     delay   = base(n)                  with jitter "none"
///     delay   = uniform(0, base(n))      with jitter "full" (AWS's "full jitter")
///
/// and there is no attempt n+1 once n == max_attempts or the error's name is in `non_retryable`.
public struct RetryPolicy: Sendable, Equatable, Codable {
    public enum Jitter: String, Sendable, Codable { case full, none }

    public var initial: Double
    public var backoff: Double
    public var maxInterval: Double
    public var maxAttempts: Int
    public var jitter: Jitter
    public var nonRetryable: [String]

    public init(initial: Double = 1, backoff: Double = 2, maxInterval: Double = 60, maxAttempts: Int = 3,
                jitter: Jitter = .full, nonRetryable: [String] = []) {
        self.initial = initial
        self.backoff = backoff
        self.maxInterval = maxInterval
        self.maxAttempts = maxAttempts
        self.jitter = jitter
        self.nonRetryable = nonRetryable
    }

    /// Run once, never retry: the default for steps that do not ask for retries.
    public static let never = RetryPolicy(maxAttempts: 1)

    enum CodingKeys: String, CodingKey {
        case initial, backoff, jitter
        case maxInterval = "max_interval"
        case maxAttempts = "max_attempts"
        case nonRetryable = "non_retryable"
    }

    /// Fields a script leaves out keep the values of `base`.
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initial = try c.decodeIfPresent(Double.self, forKey: .initial) ?? initial
        backoff = try c.decodeIfPresent(Double.self, forKey: .backoff) ?? backoff
        maxInterval = try c.decodeIfPresent(Double.self, forKey: .maxInterval) ?? maxInterval
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? maxAttempts
        jitter = try c.decodeIfPresent(Jitter.self, forKey: .jitter) ?? jitter
        nonRetryable = try c.decodeIfPresent([String].self, forKey: .nonRetryable) ?? nonRetryable
    }

    /// Checks the ranges a script can get wrong; the message names the field.
    public func validate() throws {
        func bad(_ field: String, _ why: String) -> RetryPolicyError { RetryPolicyError(field: field, problem: why) }
        guard initial >= 0, initial.isFinite else { throw bad("initial", "must be a number of seconds >= 0") }
        guard backoff >= 1, backoff.isFinite else { throw bad("backoff", "must be >= 1") }
        guard maxInterval >= 0, maxInterval.isFinite else { throw bad("max_interval", "must be >= 0") }
        guard maxAttempts >= 1 else { throw bad("max_attempts", "must be >= 1") }
    }

    /// Seconds to wait before the attempt after `attempt`, or nil when there is none.
    /// `unit` is a uniform random number in [0, 1) for the jitter.
    public func delay(after attempt: Int, error: StepError, unit: Double) -> Double? {
        guard attempt < maxAttempts, !nonRetryable.contains(error.name) else { return nil }
        let exponent = Double(max(attempt - 1, 0))
        let base = min(initial * pow(backoff, exponent), maxInterval)
        switch jitter {
        case .none: return base
        case .full: return base * unit
        }
    }
}

public struct RetryPolicyError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var problem: String
    public var description: String { "retry.\(field) \(problem)" }
}

#if canImport(Glibc)
import Glibc
#endif
