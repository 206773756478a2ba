import FlowLua

/// The host primitives behind the `flow` module (see WorkflowPrelude). Each runs inside the
/// script's coroutine: it answers at once from the journal while replaying, and otherwise
/// either journals and answers (pure steps) or queues `pending` work and yields.
extension ExecutionRunner {
    /// Stops the script: yielding cannot be caught by a script's pcall.
    func stop(_ reason: StopReason) -> LuaHostResult {
        pending = .stop(reason)
        return .yield([])
    }

    func stopFatal() -> LuaHostResult { stop(.fatal(journalFailure)) }

    /// Checks where the call comes from, asks the replay machine, and handles the decisions
    /// that stop the script. nil: a stop is queued; return `.yield([])`.
    func decide(_ call: LuaCall, kind: StepKind, name: String, digest: UInt64, display: String)
        throws -> (seq: Int, location: String, decision: ReplayMachine.Decision)?
    {
        if let t = currentThread, call.threadIdentity != t.identity {
            throw LuaHostError("\(display) cannot be called from a coroutine the workflow created: call it from the workflow itself", level: 2)
        }
        if let s = insideStep {
            throw LuaHostError("\(display) cannot be called inside flow.step '\(s.name)': steps do not nest", level: 2)
        }
        if !call.isYieldable {
            throw LuaHostError("\(display) cannot be called here (inside a metamethod, a table.sort comparator or a string.gsub callback)", level: 2)
        }
        if !paramsDeclared, !rawParams.isEmpty, machine.journal.steps.isEmpty {
            let names = rawParams.keys.sorted().joined(separator: ", ")
            pending = .stop(.usage("parameters were given (\(names)) but the workflow declares none: add flow.params{...}"))
            return nil
        }
        // A local function, not a closure value: no context is allocated for it per step. It is
        // called only when the location is needed (a mismatch, a step run now).
        func locate() -> String { call.location(level: 1, skipping: lua.wrapperSources) ?? "?" }
        var (seq, decision) = machine.request(kind: kind, name: name, digest: digest)
        if case .mismatch = decision { decision.locateScriptSide(locate) }
        if options.replayOnly, let stop = replayOnlyStop(call, kind: kind, name: name, seq: seq, decision: decision, location: locate) {
            pending = .stop(.replayOnly(stop))
            return nil
        }
        switch decision {
        case .mismatch(let e):
            pending = .stop(.determinism(e))
            return nil
        case .stopBody:
            pending = .stop(.cancelledInJournal)
            return nil
        case .replay:
            // The recorded location, read in place: `journal.step(seq)` copied the whole record.
            return (seq, machine.journal.steps[seq - 1].location, decision)
        default:
            announce()
            if !reportedReplay {
                reportedReplay = true
                if seq > 1 { options.observer(.replayed(steps: seq - 1)) }
            }
            if let reason = checkStop(seq: seq, force: false) {
                pending = .stop(reason)
                return nil
            }
        }
        return (seq, locate(), decision)
    }

    func hostParams(_ call: LuaCall) throws -> LuaHostResult {
        let decls = try Params.parse(call.value(1))
        do {
            let values = try Params.resolve(decls, raw: rawParams)
            paramsDeclared = true
            return .values([values])
        } catch let p as Params.Problem {
            let message = (call.location(level: 1, skipping: lua.wrapperSources).map { "\($0): " } ?? "") + p.message
            if options.replayOnly { return stop(.replayOnly(.paramsRejected(message))) }
            if machine.journal.steps.isEmpty { return stop(.usage(message)) }
            throw LuaHostError(p.message, level: 2)
        }
    }

    // MARK: flow.step

    struct StepOptions: Decodable {
        var retry: RetryPolicy?
        var timeout: Double?
    }

    func hostStepBegin(_ call: LuaCall) throws -> LuaHostResult {
        // The name read in place (the wrapper has checked it is a string), not made a LuaValue.
        let name = try call.string(1) ?? call.value(1).stringValue ?? ""
        if let problem = JournalBounds.nameProblem(name) {
            throw LuaHostError("bad argument #1 to 'flow.step' (\(problem))", level: 2)
        }
        // Most steps have no options: skip the conversion and the decoder, which were most of a
        // replayed step's cost.
        let parsed = call.isNil(2) || call.isEmptyTable(2)
            ? StepOptions() : try decodeOptions(try call.value(2), display: "flow.step", argument: 3)
        let digest = StepDigest.of(name: name)
        guard let (seq, location, decision) = try decide(call, kind: .step, name: name, digest: digest, display: "flow.step")
        else { return .yield([]) }
        let policy = parsed.retry ?? .never
        func begin(_ attempt: Int) -> [LuaValue]? {
            startPureAttempt(PureStep(seq: seq, attempt: attempt, name: name, policy: policy, timeout: parsed.timeout, started: .now),
                             digest: digest, location: location)
        }
        switch decision {
        case .replay(.completed(let v, _)):
            return .three("replay", true, v)
        case .replay(.failed(let e, _)):
            return .three("replay", false, e.luaValue)
        case .execute(let attempt):
            return begin(attempt).map { .values($0) } ?? stopFatal()
        case .resumeInFlight(let record):
            return begin(record.attempt).map { .values($0) } ?? stopFatal()
        case .retry(let attempt, let at):
            pending = .wait(seq: seq, kind: .step, name: name, until: at) {
                guard let v = begin(attempt) else { throw self.journalFailure }
                return v
            }
            return .yield([])
        case .mismatch, .stopBody:
            return .yield([])
        }
    }

    func hostStepEnd(_ call: LuaCall) throws -> LuaHostResult {
        guard let step = insideStep else { throw LuaHostError("flow.step: internal error (no step in progress)") }
        insideStep = nil
        lua.setDeadline(secondsFromNow: nil)
        let elapsed = ContinuousClock.now - step.started
        let ok = try call.value(1) == .bool(true)
        var failure: (StepError, retryable: Bool)?
        var value = LuaValue.nil
        if ok {
            do {
                value = try call.convertedValue(2)
                if let problem = JournalBounds.problem(with: value, what: "flow.step '\(step.name)' returned") {
                    failure = (StepError(name: "InvalidResult", message: problem), false)
                }
            } catch {
                failure = (StepError(name: "InvalidResult", message: "flow.step '\(step.name)' returned a value flow cannot journal: \(error)"), false)
            }
        } else if let t = step.timeout, elapsed >= .milliseconds(Int64(t * 1000)) {
            failure = (StepError(name: "Timeout", message: "flow.step '\(step.name)' ran longer than its timeout of \(t) s"), true)
        } else {
            let raised = (try? call.value(2)) ?? .string("(error object is a \(call.typeName(2)) value)")
            failure = (Self.stepError(from: raised), true)
        }
        guard let (error, retryable) = failure else {
            guard journal(.completed(StepCompleted(seq: step.seq, attempt: step.attempt, value: value, at: options.clock.now(), consumed: nil)), commit: false)
            else { return stopFatal() }
            let done = { [unowned self] () -> [LuaValue] in
                crash?.hit("after-outcome", seq: step.seq)
                options.observer(.stepSucceeded(seq: step.seq, kind: .step, name: step.name, attempt: step.attempt, millis: elapsed.millis,
                                                value: value))
                return ["done", true, value]
            }
            // The outcome is durable before the script goes on. When that takes an fdatasync, the
            // script yields and the runner awaits it off the cooperative pool (PendingWork.commit),
            // so other executions in this process run, and sync, meanwhile.
            guard commitWouldSync else { return .values(done()) }
            pending = .commit(then: done)
            return .yield([])
        }
        let delay = retryable ? step.policy.delay(after: step.attempt, error: error, unit: options.random()) : nil
        let retryAt = delay.map { options.clock.now() + Millis($0 * 1000) }
        guard journal(.failed(StepFailed(seq: step.seq, attempt: step.attempt, error: error, at: options.clock.now(), retryAt: retryAt)), commit: true)
        else { return stopFatal() }
        crash?.hit("after-outcome", seq: step.seq)
        options.observer(.stepFailed(seq: step.seq, kind: .step, name: step.name, attempt: step.attempt, error: error,
                                     retryInMillis: delay.map { Int64($0 * 1000) }))
        guard let at = retryAt else { return .values(["done", false, error.luaValue]) }
        let location = machine.journal.step(step.seq)?.location ?? "?"
        pending = .wait(seq: step.seq, kind: .step, name: step.name, until: at) {
            var next = step
            next.attempt += 1
            next.started = ContinuousClock.now
            guard let values = self.startPureAttempt(next, digest: StepDigest.of(name: step.name), location: location)
            else { throw self.journalFailure }
            return values
        }
        return .yield([])
    }

    /// Journals the intent of an attempt of a `flow.step` (not synced: its function has no effect
    /// outside the journal), arms its timeout, and returns what `H.step_begin` answers.
    func startPureAttempt(_ step: PureStep, digest: UInt64, location: String) -> [LuaValue]? {
        guard journal(.intent(StepIntent(
            seq: step.seq, attempt: step.attempt, kind: .step, name: step.name, digest: digest, location: location,
            args: .nil, at: options.clock.now(), deadline: nil)), commit: false)
        else { return nil }
        insideStep = step
        lua.setDeadline(secondsFromNow: step.timeout)
        options.observer(.stepStarted(seq: step.seq, kind: .step, name: step.name, attempt: step.attempt))
        return ["run", .int(Int64(step.attempt))]
    }

    func decodeOptions(_ value: LuaValue, display: String, argument: Int) throws -> StepOptions {
        do {
            let o = try LuaValueDecoder().decode(StepOptions.self, from: value)
            try o.retry?.validate()
            if let t = o.timeout, !(t > 0 && t.isFinite) {
                throw LuaHostError("bad argument #\(argument) to '\(display)' (timeout must be a number of seconds > 0)", level: 2)
            }
            return o
        } catch let e as LuaArgumentError {
            throw LuaHostError("bad argument #\(argument) to '\(display)' (\(e.pathDescription.isEmpty ? "" : "'\(e.pathDescription)': ")\(e.problem))", level: 2)
        } catch let e as RetryPolicyError {
            throw LuaHostError("bad argument #\(argument) to '\(display)' (\(e))", level: 2)
        }
    }
}

extension Duration {
    var millis: Int64 {
        let (s, attos) = components
        return s * 1000 + attos / 1_000_000_000_000_000
    }
}
