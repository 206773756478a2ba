import FlowLua

/// How one attempt of a step ended, as journaled.
public enum StepOutcome: Sendable, Equatable {
    case completed(LuaValue, consumed: String?)
    /// `retryAt` nil: the failure is final.
    case failed(StepError, retryAt: Millis?)
}

public struct AttemptRecord: Sendable, Equatable {
    public var attempt: Int
    public var startedAt: Millis
    public var deadline: Millis?
    public var outcome: StepOutcome?
    public var finishedAt: Millis?
}

/// Every attempt of one step, folded from its journal entries.
public struct StepRecord: Sendable, Equatable {
    public var seq: Int
    public var kind: StepKind
    public var name: String
    public var digest: UInt64
    public var location: String
    public var args: LuaValue
    public var attempts: StepAttempts

    public var lastOutcome: StepOutcome? { attempts.current.outcome }
}

/// An execution's journal folded into steps: what replay consults and what `status` and
/// `history` summarise. Pure: `apply` checks that entries arrive in an order a writer can make.
public struct JournalState: Sendable, Equatable {
    public private(set) var started: ExecutionStarted?
    public private(set) var steps: [StepRecord] = []
    public private(set) var compensating: Compensating?
    public private(set) var finished: ExecutionFinished?
    public private(set) var resumes: [Resumed] = []
    public private(set) var operatorActions: [OperatorAction] = []
    public private(set) var redrives: [Redriven] = []
    /// The last checkpoint of each native step whose attempt is in flight, by seq. Kept beside
    /// `steps` rather than in each `StepRecord`: nearly no step has one, and a settled step's is
    /// dropped (only an attempt resumed in flight reads it back).
    public private(set) var checkpoints: [Int: StepCheckpoint] = [:]
    public private(set) var entryCount = 0
    public private(set) var lastEventAt: Millis = 0

    public init() {}

    public init(entries: [JournalEntry]) throws {
        for e in entries { try apply(e) }
    }

    /// Room for `steps` steps, so folding a long journal does not copy the array as it grows.
    public mutating func reserve(steps count: Int) {
        self.steps.reserveCapacity(count)
    }

    public func step(_ seq: Int) -> StepRecord? {
        seq >= 1 && seq <= steps.count ? steps[seq - 1] : nil
    }

    /// The last checkpoint step `seq`'s attempt in flight recorded, if it recorded one.
    public func checkpoint(of seq: Int) -> StepCheckpoint? {
        checkpoints.isEmpty ? nil : checkpoints[seq]
    }

    /// Folds in one entry; an entry that no correct writer produces is a `JournalOrderError`.
    /// `consuming`: the fold hands over each decoded entry, so its strings and values move into the
    /// state instead of being retained here and released with the entry.
    public mutating func apply(_ entry: consuming JournalEntry) throws {
        // `case .none` rather than `== nil`: Optional's == copies the record on every call.
        if case .none = started {
            guard case .started = entry else {
                throw JournalOrderError("the journal does not begin with an execution-started record")
            }
        }
        if case .some = finished, !(entry.isResumed || entry.isRedriven) {
            throw JournalOrderError("a record follows the execution's final record")
        }
        entryCount += 1
        switch consume entry {
        case .started(let s):
            guard case .none = started else { throw JournalOrderError("a second execution-started record") }
            started = s
            lastEventAt = s.at
        case .intent(let i):
            lastEventAt = i.at
            let attempt = AttemptRecord(attempt: i.attempt, startedAt: i.at, deadline: i.deadline)
            if i.seq == steps.count + 1 {
                // A step in a loop has the location of the step before it: keep one copy of the
                // string, not one per step (a 1,000,000-step journal held ~90 MiB of them).
                var location = i.location
                if let last = steps.indices.last, steps[last].location == location { location = steps[last].location }
                steps.append(StepRecord(
                    seq: i.seq, kind: i.kind, name: i.name, digest: i.digest, location: location, args: i.args,
                    attempts: StepAttempts(attempt)))
            } else if i.seq == steps.count, steps[i.seq - 1].name == i.name {
                // A new attempt, or the same attempt again after a crash cut it short: that one
                // keeps its checkpoint (it is what the attempt run again reads back).
                if steps[i.seq - 1].attempts.isInFlight(attempt: i.attempt) {
                    steps[i.seq - 1].attempts.replaceCurrent(with: attempt)
                } else {
                    steps[i.seq - 1].attempts.append(attempt)
                    if !checkpoints.isEmpty { checkpoints[i.seq] = nil }
                }
            } else {
                throw JournalOrderError("step \(i.seq) starts after step \(steps.count)")
            }
        case .completed(let c):
            lastEventAt = c.at
            try settle(seq: c.seq, attempt: c.attempt, .completed(c.value, consumed: c.consumed), at: c.at)
        case .failed(let f):
            lastEventAt = f.at
            try settle(seq: f.seq, attempt: f.attempt, .failed(f.error, retryAt: f.retryAt), at: f.at)
        case .compensating(let c):
            guard compensating == nil else { throw JournalOrderError("a second compensation record") }
            compensating = c
            lastEventAt = c.at
        case .finished(let f):
            finished = f
            lastEventAt = f.at
        case .resumed(let r):
            resumes.append(r)
        case .operatorAction(let a):
            operatorActions.append(a)
            lastEventAt = a.at
        case .redriven(let r):
            guard let f = finished, f.status == .failed || f.status == .aborted else {
                throw JournalOrderError("a redrive of an execution that has not failed")
            }
            guard r.fromSeq >= 1, r.fromSeq <= steps.count + 1, r.fromSeq <= (compensating?.nextSeq ?? steps.count + 1) else {
                throw JournalOrderError("a redrive from step \(r.fromSeq), which is not a step of the body")
            }
            steps.removeSubrange((r.fromSeq - 1)...)
            if !checkpoints.isEmpty { checkpoints = checkpoints.filter { $0.key < r.fromSeq } }
            compensating = nil
            finished = nil
            redrives.append(r)
            lastEventAt = r.at
        case .stepCheckpoint(let c):
            guard c.seq >= 1, c.seq <= steps.count, steps[c.seq - 1].attempts.isInFlight(attempt: c.attempt) else {
                throw JournalOrderError("a checkpoint for step \(c.seq) attempt \(c.attempt), which is not in flight")
            }
            guard steps[c.seq - 1].kind == .native else {
                throw JournalOrderError("a checkpoint for step \(c.seq), a \(steps[c.seq - 1].kind.rawValue) step (only native steps record them)")
            }
            lastEventAt = c.at
            checkpoints[c.seq] = c
        }
    }

    private mutating func settle(seq: Int, attempt: Int, _ outcome: StepOutcome, at: Millis) throws {
        guard seq >= 1, seq <= steps.count, steps[seq - 1].attempts.isInFlight(attempt: attempt) else {
            throw JournalOrderError("an outcome for step \(seq) attempt \(attempt), which is not in flight")
        }
        steps[seq - 1].attempts.settleCurrent(outcome, at: at)
        if !checkpoints.isEmpty { checkpoints[seq] = nil }
    }
}

extension JournalEntry {
    var isResumed: Bool { if case .resumed = self { true } else { false } }
    var isRedriven: Bool { if case .redriven = self { true } else { false } }
}

public struct JournalOrderError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
