/// What `t.run` hands the test: the outcome, each step as journaled (times in virtual seconds
/// since the start), what the workflow logged, the gates' measurements and the simulated
/// cloud's state at the end.
///
///     { id, status = "succeeded" | "failed" | "cancelled" | "aborted" | "stalled",
///       result, error = { name, message }, elapsed = seconds,
///       steps = { { seq, kind, name, args, location, attempts, status, result, error, at, ended, compensation,
///                   tries = { { attempt, at, ended, status, result, error, retry_at } } } },
///       compensated = bool (a step ran in an on_failure handler), log = { ... }, warnings = { ... }, measurements = { { seq, name, status, reason, value, at } },
///       waiting = { seq, kind, name, since, until },    -- a stalled run: what it waited for
///       cloud = {...}, weights = {...},                   -- with a simulated cloud
///       home = PATH }                                     -- with --keep
struct RunReport {
    var id: String
    var outcome: RunOutcome
    var state: JournalState
    var start: Millis
    var clock: VirtualClock
    var cloud: SimulatedCloud?
    var seen: WorkflowRun.Seen.State
    var home: String?

    var value: StepValue {
        var r: [String: StepValue] = ["id": .string(id)]
        switch outcome {
        case .succeeded(let v): r["status"] = "succeeded"; if !v.isNil { r["result"] = v }
        case .failed(let e): r["status"] = "failed"; r["error"] = e.luaValue
        case .cancelled(let e): r["status"] = "cancelled"; r["error"] = e.luaValue
        case .aborted(let e): r["status"] = "aborted"; r["error"] = e.luaValue
        case .interrupted: r["status"] = "stalled"
        case .alreadyFinished(let s): r["status"] = .string(s.rawValue)
        }
        let end = state.finished?.at ?? clock.now()
        r["elapsed"] = seconds(end)
        let compensationFrom = state.compensating?.nextSeq ?? Int.max
        r["steps"] = .list(state.steps.map { step(for: $0, compensation: $0.seq >= compensationFrom) })
        r["compensated"] = .bool(state.steps.contains { $0.seq >= compensationFrom })
        r["log"] = .list(seen.log.map { .string($0) })
        r["warnings"] = .list(seen.warnings.map { .string($0) })
        r["measurements"] = .list(seen.measurements.entries)
        r["measurements_total"] = .int(Int64(seen.measurements.total))
        if case .interrupted = outcome, let w = seen.waiting { r["waiting"] = w }
        if let cloud {
            let snapshot = cloud.snapshot(startedAt: start)
            r["cloud"] = snapshot
            if case .table(let weights) = snapshot["weights"], weights.count == 1, let only = weights.values.first {
                r["weights"] = only
            }
        }
        if let home { r["home"] = .string(home) }
        return .table(r)
    }

    func step(for s: StepRecord, compensation: Bool) -> StepValue {
        var t: [String: StepValue] = [
            "seq": .int(Int64(s.seq)), "kind": .string(s.kind.rawValue), "name": .string(s.name),
            "location": .string(s.location), "attempts": .int(Int64(s.attempts.count)),
            "compensation": .bool(compensation),
        ]
        if !s.args.isNil { t["args"] = s.args }
        t["tries"] = .list(s.attempts.map(attempt))
        if let first = s.attempts.first { t["at"] = seconds(first.startedAt) }
        if let last = s.attempts.last, let ended = last.finishedAt { t["ended"] = seconds(ended) }
        switch s.lastOutcome {
        case .completed(let v, _)?:
            t["status"] = "completed"
            if !v.isNil { t["result"] = v }
        case .failed(let e, _)?:
            t["status"] = "failed"
            t["error"] = e.luaValue
        case nil:
            t["status"] = "running"
        }
        return .table(t)
    }

    /// One attempt: when it ran and how it ended, so a test can check the backoff and each error.
    func attempt(_ a: AttemptRecord) -> StepValue {
        var t: [String: StepValue] = ["attempt": .int(Int64(a.attempt)), "at": seconds(a.startedAt)]
        if let ended = a.finishedAt { t["ended"] = seconds(ended) }
        switch a.outcome {
        case .completed(let v, _)?:
            t["status"] = "completed"
            if !v.isNil { t["result"] = v }
        case .failed(let e, let retryAt)?:
            t["status"] = "failed"
            t["error"] = e.luaValue
            if let retryAt { t["retry_at"] = seconds(retryAt) }
        case nil:
            t["status"] = "running"
        }
        return .table(t)
    }

    func seconds(_ m: Millis) -> StepValue { .double(Double(m - start) / 1000) }
}
