/// The attempts of one step, in order: never empty, the first kept inline. Nearly every step has
/// exactly one attempt, and a one-element array is a heap block of its own (~144 B with malloc's
/// overhead, a malloc and a free, a retain and a release per step): a million-step journal
/// held a million of them. Later attempts, for steps that were retried, go to `later`.
public struct StepAttempts: RandomAccessCollection, Sendable, Equatable {
    var head: AttemptRecord
    var later: [AttemptRecord] = []

    init(_ first: AttemptRecord) {
        head = first
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { 1 + later.count }

    public subscript(position: Int) -> AttemptRecord {
        position == 0 ? head : later[position - 1]
    }

    /// The current (last) attempt; a step always has one.
    var current: AttemptRecord {
        later.isEmpty ? head : later[later.count - 1]
    }

    mutating func append(_ attempt: AttemptRecord) {
        later.append(attempt)
    }

    mutating func replaceCurrent(with attempt: AttemptRecord) {
        if later.isEmpty { head = attempt } else { later[later.count - 1] = attempt }
    }

    /// Whether attempt number `attempt` is the current one and has no outcome yet.
    func isInFlight(attempt: Int) -> Bool {
        later.isEmpty ? head.isInFlight(attempt) : later[later.count - 1].isInFlight(attempt)
    }

    mutating func settleCurrent(_ outcome: StepOutcome, at: Millis) {
        if later.isEmpty {
            head.outcome = outcome
            head.finishedAt = at
        } else {
            later[later.count - 1].outcome = outcome
            later[later.count - 1].finishedAt = at
        }
    }
}

extension AttemptRecord {
    /// Tested in place: `outcome == nil` on a copy would copy the outcome's value too.
    func isInFlight(_ number: Int) -> Bool {
        guard attempt == number else { return false }
        if case .none = outcome { return true }
        return false
    }
}
