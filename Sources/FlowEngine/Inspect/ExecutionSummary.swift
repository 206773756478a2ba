import FlowLua
import FlowWAL

/// What `flow status` and `flow list` say about an execution, read from its journal and lock
/// without running any Lua.
public struct ExecutionSummary: Sendable, Encodable {
    public struct CurrentStep: Sendable, Encodable {
        public var seq: Int
        public var kind: String
        public var name: String
        public var attempt: Int
        public var location: String
        public var waiting_until: String?
    }

    public struct ErrorInfo: Sendable, Encodable {
        public var name: String
        public var message: String
    }

    public var id: String
    public var workflow: String
    /// running | waiting | paused | interrupted | succeeded | failed | cancelled | aborted
    public var status: String
    public var started_at: String
    public var finished_at: String?
    public var updated_at: String
    public var steps: Int
    public var current_step: CurrentStep?
    public var compensating: Bool
    public var error: ErrorInfo?
    public var result: LuaValue?
    /// The process driving it, when one is.
    public var driver: String?
    public var journal_warning: String?
    /// The last operator pause was not lifted (an interrupted execution stays paused when resumed).
    public var paused: Bool = false
    /// The last operator command taken: `pause by alice@host: reason at TIME`.
    public var last_operator_action: String?

    enum CodingKeys: String, CodingKey {
        case id, workflow, status, started_at, finished_at, updated_at, steps, current_step, compensating, error, result, driver,
             journal_warning, paused, last_operator_action
    }

    /// Every key is always present (null when empty), so readers can rely on the shape.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(workflow, forKey: .workflow)
        try c.encode(status, forKey: .status)
        try c.encode(started_at, forKey: .started_at)
        try c.encode(finished_at, forKey: .finished_at)
        try c.encode(updated_at, forKey: .updated_at)
        try c.encode(steps, forKey: .steps)
        try c.encode(current_step, forKey: .current_step)
        try c.encode(compensating, forKey: .compensating)
        try c.encode(error, forKey: .error)
        try c.encode(result, forKey: .result)
        try c.encode(driver, forKey: .driver)
        try c.encode(journal_warning, forKey: .journal_warning)
        try c.encode(paused, forKey: .paused)
        try c.encode(last_operator_action, forKey: .last_operator_action)
    }

    public static func load(home: FlowHome, id: String) throws -> ExecutionSummary {
        try read(home: home, id: id).summary
    }

    /// The summary and the folded journal it was made from.
    static func read(home: FlowHome, id: String) throws -> (summary: ExecutionSummary, state: JournalState) {
        try FlowHome.checkExisting(home: home, id: id)
        let (state, torn) = try JournalReading.read(home: home, id: id)
        guard state.started != nil else { throw RunError(.journal, "the journal of '\(id)' has no start record") }
        return (ExecutionSummary(id: id, state: state, driver: FileLock.holder(path: home.lockPath(of: id)), tornTail: torn), state)
    }
}

extension ExecutionSummary {
    /// The summary of a folded journal that has its start record; `driver` is the lock's holder.
    init(id: String, state: JournalState, driver holder: String?, tornTail torn: WALRepair?) {
        let started = state.started!
        var current: CurrentStep?
        var waiting = false
        if state.finished == nil, let last = state.steps.last, let attempt = last.attempts.last {
            var until: Millis?
            switch attempt.outcome {
            case nil:
                if last.kind == .sleep || last.kind == .signal {
                    waiting = true
                    until = attempt.deadline
                }
            case .failed(_, let retryAt?)?:
                waiting = true
                until = retryAt
            default:
                break
            }
            if attempt.outcome == nil || until != nil {
                current = CurrentStep(
                    seq: last.seq, kind: last.kind.rawValue, name: last.name, attempt: attempt.attempt,
                    location: last.location, waiting_until: until.map(WallClock.iso8601))
            }
        }
        // Any later unpause or promotion lifts a pause.
        let paused = state.finished == nil && state.operatorActions.last?.action == .pause
        let status: String
        if let f = state.finished {
            status = f.status.rawValue
        } else if holder != nil {
            status = paused ? "paused" : waiting ? "waiting" : "running"
        } else {
            status = "interrupted"
        }
        let failure = state.finished?.error ?? state.compensating?.error
        self.init(
            id: id, workflow: started.workflow, status: status, started_at: WallClock.iso8601(started.at),
            finished_at: state.finished.map { WallClock.iso8601($0.at) }, updated_at: WallClock.iso8601(state.lastEventAt),
            steps: state.steps.count, current_step: current, compensating: state.compensating != nil && state.finished == nil,
            error: failure.map { ErrorInfo(name: $0.name, message: $0.message) },
            result: state.finished?.status == .succeeded ? state.finished?.value : nil,
            driver: holder, journal_warning: torn.map { "\($0)" }, paused: paused,
            last_operator_action: state.operatorActions.last.map { a in
                "\(a.action.rawValue) by \(a.by)" + (a.reason.map { ": \($0)" } ?? "") + " at \(WallClock.iso8601(a.at))"
            })
    }
}
