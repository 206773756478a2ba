import FlowLua

/// One execution's history as a timeline: its steps with every attempt and the backoff between
/// them, what operators and resumes did, the traffic weights over time, the outcome and what
/// fail-back did. Pure: built from a folded journal (`JournalState`), no I/O, no lock; `flow show`
/// renders it, a live view can rebuild it as the journal grows.
public struct ExecutionTimeline: Sendable, Equatable {
    public var id: String
    public var workflow: String
    public var startedAt: Millis
    public var host: String
    public var pid: Int32
    /// The time of the newest record (the finish, for a finished execution).
    public var lastEventAt: Millis
    public var steps: [Step]
    /// Operator actions, resumes and the start of compensation, in journal order.
    public var events: [Event]
    /// The weights as journaled by the steps that read or set them, oldest first.
    public var weights: [WeightsPoint]
    public var outcome: Outcome
    /// What ran after the body stopped (failure, cancel, abort); nil when it did not stop.
    public var failback: Failback?

    public enum Phase: String, Sendable, Codable { case body, compensation }

    /// `waiting`: an attempt failed and the next one is due at `retryAt`. `stopped`: the body was
    /// failed, cancelled or aborted while the step ran, so it has no outcome (what it did is unknown).
    public enum Status: String, Sendable, Codable { case running, waiting, succeeded, failed, stopped }

    public struct Attempt: Sendable, Equatable {
        public var attempt: Int
        public var startedAt: Millis
        public var finishedAt: Millis?
        public var deadline: Millis?
        /// running, succeeded, failed or stopped (an attempt never waits; its step does). A stopped
        /// attempt's `finishedAt` is when compensation began.
        public var status: Status
        public var value: LuaValue?
        public var error: StepError?
        /// When the next attempt may start (a failure that is not final).
        public var retryAt: Millis?

        public var duration: Millis? { finishedAt.map { $0 - startedAt } }
        /// The planned gap before the next attempt.
        public var backoff: Millis? { retryAt.flatMap { r in finishedAt.map { max(0, r - $0) } } }
    }

    public struct Step: Sendable, Equatable {
        public var seq: Int
        public var kind: StepKind
        public var name: String
        public var location: String
        public var args: LuaValue
        public var phase: Phase
        public var attempts: [Attempt]
        public var status: Status
        /// The weights a weight-setting step asked for (`args.weights`), set or not.
        public var targetWeights: [String: Int]?

        public var startedAt: Millis { attempts.first?.startedAt ?? 0 }
        /// When the last attempt ended; nil while one runs or the next is due.
        public var finishedAt: Millis? { status == .running || status == .waiting ? nil : attempts.last?.finishedAt }
        public var duration: Millis? { finishedAt.map { $0 - startedAt } }
        public var result: LuaValue? { status == .succeeded ? attempts.last?.value : nil }
        /// The last failure: final when `status` is failed, the one being retried when waiting.
        public var error: StepError? { attempts.last?.error }
        public var retryAt: Millis? { status == .waiting ? attempts.last?.retryAt : nil }
    }

    public enum Event: Sendable, Equatable {
        case operatorAction(OperatorAction)
        case resumed(Resumed)
        case compensating(Compensating)

        public var at: Millis {
            switch self {
            case .operatorAction(let a): a.at
            case .resumed(let r): r.at
            case .compensating(let c): c.at
            }
        }
    }

    public struct WeightsPoint: Sendable, Equatable {
        /// `observed`: read (a capture, or a setter's `previous`); `set`: applied by the body;
        /// `restored`: applied by compensation (fail-back).
        public enum Source: String, Sendable, Codable { case observed, set, restored }
        public var at: Millis
        public var seq: Int
        public var step: String
        public var source: Source
        public var weights: [String: Int]
    }

    public struct Outcome: Sendable, Equatable {
        /// The final status, or nil while the execution has not finished.
        public var status: FinalStatus?
        public var finishedAt: Millis?
        public var value: LuaValue?
        /// Why it failed, was cancelled or aborted.
        public var error: StepError?
        /// The last body step that had started when the body stopped (the one that failed, or
        /// was running at the cancel or abort), when it stopped.
        public var stoppedAtSeq: Int?
    }

    public struct Failback: Sendable, Equatable {
        public var reason: CompensationReason
        public var error: StepError
        public var at: Millis
        public var atSeq: Int
        /// As `Outcome.stoppedAtSeq`.
        public var stoppedAtSeq: Int?
        /// The compensation steps (numbered from the compensating record's `nextSeq`), in order.
        public var steps: [Int]
        /// The weights after the last step that set or read them, if any did.
        public var finalWeights: [String: Int]?
        /// Whether compensation finished (the execution has its final record).
        public var complete: Bool
    }

    /// The newest weights the journal knows.
    public var currentWeights: [String: Int]? { weights.last?.weights }

    public func step(_ seq: Int) -> Step? { seq >= 1 && seq <= steps.count ? steps[seq - 1] : nil }

    /// Steps and events in time order (events between the steps they happened between; an
    /// event at the same millisecond as a step's start comes first).
    public enum Row: Sendable, Equatable {
        case step(Int)
        case event(Int)
    }

    public var rows: [Row] {
        var out: [Row] = []
        var e = 0
        for (i, s) in steps.enumerated() {
            while e < events.count, events[e].at <= s.startedAt {
                out.append(.event(e))
                e += 1
            }
            out.append(.step(i))
        }
        while e < events.count {
            out.append(.event(e))
            e += 1
        }
        return out
    }
}
