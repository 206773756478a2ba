import FlowLua

/// Building an `ExecutionTimeline` from a folded journal (pure), or from a home (read-only).
extension ExecutionTimeline {
    /// Reads an execution's journal (read-only, no lock) and builds its timeline. Errors are
    /// `RunError`s: an unknown id is `.usage`, a damaged journal `.journal` with file and offset.
    public static func load(home: FlowHome, id: String) throws -> ExecutionTimeline {
        try FlowHome.checkExisting(home: home, id: id)
        return try ExecutionTimeline(try JournalReading.read(home: home, id: id).state)
    }

    public init(entries: [JournalEntry]) throws {
        do {
            try self.init(try JournalState(entries: entries))
        } catch let e as JournalOrderError {
            throw RunError(.journal, e.message)
        }
    }

    public init(_ state: JournalState) throws {
        guard let started = state.started else { throw RunError(.journal, "the journal has no execution-started record") }
        id = started.id
        workflow = started.workflow
        startedAt = started.at
        host = started.host
        pid = started.pid
        lastEventAt = state.lastEventAt
        let compensationFrom = state.compensating?.nextSeq ?? Int.max
        steps = state.steps.map { Self.step($0, phase: $0.seq >= compensationFrom ? .compensation : .body, stop: state.compensating) }

        var events = state.operatorActions.map(Event.operatorAction) + state.resumes.map(Event.resumed)
        if let c = state.compensating { events.append(.compensating(c)) }
        // Stable: records of the same millisecond keep the order above.
        self.events = events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)

        weights = Self.weightsPoints(steps)
        let finished = state.finished
        outcome = Outcome(
            status: finished?.status, finishedAt: finished?.at,
            value: finished.flatMap { $0.status == .succeeded && !$0.value.isNil ? $0.value : nil },
            error: finished?.error ?? state.compensating?.error, stoppedAtSeq: state.compensating.flatMap(Self.stoppedAt))
        failback = state.compensating.map { c in
            Failback(reason: c.reason, error: c.error, at: c.at, atSeq: c.atSeq, stoppedAtSeq: Self.stoppedAt(c),
                     steps: steps.filter { $0.phase == .compensation }.map(\.seq),
                     finalWeights: weights.last?.weights, complete: finished != nil)
        }
    }

    /// The body's last started step: `nextSeq` follows the interrupted step when it had started,
    /// and equals the failed script's next step number otherwise.
    public static func stoppedAt(_ c: Compensating) -> Int? { c.nextSeq > 1 ? c.nextSeq - 1 : nil }

    static func step(_ r: StepRecord, phase: Phase, stop: Compensating?) -> Step {
        let attempts = r.attempts.map { a -> Attempt in
            switch a.outcome {
            case nil:
                if let stop, phase == .body {
                    return Attempt(attempt: a.attempt, startedAt: a.startedAt, finishedAt: stop.at, deadline: a.deadline, status: .stopped)
                }
                return Attempt(attempt: a.attempt, startedAt: a.startedAt, deadline: a.deadline, status: .running)
            case .completed(let v, _)?:
                return Attempt(attempt: a.attempt, startedAt: a.startedAt, finishedAt: a.finishedAt, deadline: a.deadline,
                               status: .succeeded, value: v)
            case .failed(let e, let retryAt)?:
                return Attempt(attempt: a.attempt, startedAt: a.startedAt, finishedAt: a.finishedAt, deadline: a.deadline,
                               status: .failed, error: e, retryAt: retryAt)
            }
        }
        var status = attempts.last?.status ?? .running
        if status == .failed, attempts.last?.retryAt != nil { status = .waiting }
        let target = r.kind == .native ? weightsTable(r.args["weights"]) : nil
        return Step(seq: r.seq, kind: r.kind, name: r.name, location: r.location, args: r.args, phase: phase,
                    attempts: attempts, status: status, targetWeights: target)
    }

    /// A native step whose result has `weights = {set = integer, ...}` read or set them: with
    /// `previous` beside it (route53.set_weights, failback.restore) it set them, else it read
    /// them (route53.weights, failback.capture). A read equal to the point before adds nothing.
    static func weightsPoints(_ steps: [Step]) -> [WeightsPoint] {
        var points: [WeightsPoint] = []
        for s in steps where s.kind == .native {
            guard let result = s.result, let w = weightsTable(result["weights"]), let end = s.finishedAt else { continue }
            if let previous = weightsTable(result["previous"]) {
                if points.isEmpty {
                    points.append(WeightsPoint(at: s.attempts.last?.startedAt ?? s.startedAt, seq: s.seq, step: s.name,
                                               source: .observed, weights: previous))
                }
                points.append(WeightsPoint(at: end, seq: s.seq, step: s.name,
                                           source: s.phase == .compensation ? .restored : .set, weights: w))
            } else if points.last?.weights != w {
                points.append(WeightsPoint(at: end, seq: s.seq, step: s.name, source: .observed, weights: w))
            }
        }
        return points
    }

    /// `{blue = 90, green = 10}` as weights (integers 0-255), else nil.
    public static func weightsTable(_ value: LuaValue) -> [String: Int]? {
        guard case .table(let t) = value, !t.isEmpty else { return nil }
        var out: [String: Int] = [:]
        for (k, v) in t {
            switch v {
            case .int(let i) where i >= 0 && i <= 255: out[k] = Int(i)
            case .double(let d) where d >= 0 && d <= 255 && d == d.rounded(): out[k] = Int(d)
            default: return nil
            }
        }
        return out
    }
}
