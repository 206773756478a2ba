import FlowLua

/// Host primitives for native steps, timers, signals and the journaled clock and dice.
extension ExecutionRunner {
    func hostNative(_ call: LuaCall) throws -> LuaHostResult {
        let qualified = try call.value(1).stringValue ?? ""
        let display = try call.value(2).stringValue ?? qualified
        guard let function = options.registry.function(qualified) else {
            throw LuaHostError("\(display) is not a registered step function", level: 2)
        }
        let raw: LuaValue
        do {
            raw = try call.convertedValue(3)
        } catch let e as LuaConversionError {
            throw LuaHostError("bad argument #1 to '\(display)' (\(e))", level: 2)
        }
        guard case .table(var fields) = raw else {
            throw LuaHostError("bad argument #1 to '\(display)' (table expected, got \(call.typeName(3)))", level: 2)
        }
        // retry and timeout belong to the engine, but a function that waits with its own
        // deadline keeps its timeout.
        let timeout = function.handlesTimeout ? nil : fields.removeValue(forKey: "timeout")
        let generic = LuaValue.table(["retry": fields.removeValue(forKey: "retry") ?? .nil,
                                      "timeout": timeout ?? .nil].filter { !$0.value.isNil })
        let opts = try decodeOptions(generic, display: display, argument: 1)
        var analysis: GateAnalysis?
        if function.isGate {
            let keys = fields.filter { GateAnalysis.keys.contains($0.key) }
            for k in keys.keys { fields.removeValue(forKey: k) }
            do {
                analysis = try LuaValueDecoder().decode(GateAnalysis.self, from: .table(keys))
            } catch let e as LuaArgumentError {
                throw LuaHostError("bad argument '\(e.pathDescription)' to '\(display)' (\(e.problem))", level: 2)
            }
        }
        let args = LuaValue.table(fields)
        // The arguments go into the step's intent record.
        if let problem = JournalBounds.problem(with: args, what: "its arguments are") {
            throw LuaHostError("bad argument #1 to '\(display)' (\(problem))", level: 2)
        }
        let prepared: any Sendable
        do {
            prepared = try function.prepare(args)
        } catch let e as LuaArgumentError {
            let path = e.pathDescription.isEmpty ? "#1" : "'\(e.pathDescription)'"
            throw LuaHostError("bad argument \(path) to '\(display)' (\(e.problem))", level: 2)
        }
        let identity = function.identity.map { keys in LuaValue.table(fields.filter { keys.contains($0.key) }) } ?? args
        let digest = StepDigest.of([identity])
        guard let (seq, location, decision) = try decide(call, kind: .native, name: display, digest: digest, display: display)
        else { return .yield([]) }
        var work = NativeCall(
            seq: seq, attempt: 1, display: display, function: function, prepared: prepared,
            policy: opts.retry ?? function.retry, timeout: opts.timeout, args: args, digest: digest, location: location,
            analysis: analysis)
        switch decision {
        case .replay(.completed(let v, _)): return .values([true, v])
        case .replay(.failed(let e, _)): return .values([false, e.luaValue])
        case .execute(let attempt):
            work.attempt = attempt
        case .resumeInFlight(let record):
            work.attempt = record.attempt
            work.resumedInFlight = true
            if !function.idempotent {
                options.observer(.warning("step \(seq) \(display) was in flight when the last process stopped; running it again"))
            }
        case .retry(let attempt, let at):
            work.attempt = attempt
            work.notBefore = at
        case .mismatch, .stopBody:
            return .yield([])
        }
        pending = .native(work)
        return .yield([])
    }

    func hostSleep(_ call: LuaCall) throws -> LuaHostResult {
        let seconds: Double
        switch try call.value(1) {
        case .int(let i): seconds = Double(i)
        case .double(let d): seconds = d
        default: throw LuaHostError("bad argument #1 to 'flow.sleep' (number expected)", level: 2)
        }
        let digest = StepDigest.of([.double(seconds)])
        guard let (seq, location, decision) = try decide(call, kind: .sleep, name: "flow.sleep", digest: digest, display: "flow.sleep")
        else { return .yield([]) }
        let deadline: Millis
        var attempt = 1
        switch decision {
        case .replay: return .values([])
        case .resumeInFlight(let record):
            deadline = record.deadline ?? options.clock.now()
            attempt = record.attempt
        default:
            deadline = options.clock.now() + Millis(seconds * 1000)
            guard journal(.intent(StepIntent(
                seq: seq, attempt: 1, kind: .sleep, name: "flow.sleep", digest: digest, location: location,
                args: .table(["seconds": .double(seconds)]), at: options.clock.now(), deadline: deadline)), commit: true)
            else { return stopFatal() }
            crash?.hit("after-intent", seq: seq)
        }
        pending = .wait(seq: seq, kind: .sleep, name: "flow.sleep", until: deadline) {
            guard self.journal(.completed(StepCompleted(seq: seq, attempt: attempt, value: .nil, at: self.options.clock.now(), consumed: nil)), commit: true)
            else { throw self.journalFailure }
            return []
        }
        return .yield([])
    }

    func hostSignal(_ call: LuaCall) throws -> LuaHostResult {
        let name = try call.value(1).stringValue ?? ""
        if let problem = JournalBounds.nameProblem(name) {
            throw LuaHostError("bad argument #1 to 'flow.signal' (\(problem))", level: 2)
        }
        let timeout: Double? = switch try call.value(2) {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
        let digest = StepDigest.of([.string(name)])
        if timeout == 0, !pollFinds(name) { return .values([false]) }
        guard let (seq, location, decision) = try decide(call, kind: .signal, name: name, digest: digest, display: "flow.signal")
        else { return .yield([]) }
        switch decision {
        // A poll that found nothing is completed without a consumed message.
        case .replay(.completed(let v, let consumed)): return .values(consumed == nil ? [false] : [true, v])
        case .replay(.failed): return .values([false])
        case .resumeInFlight(let record):
            pending = .signal(seq: seq, attempt: record.attempt, name: name, deadline: record.deadline)
        default:
            if timeout == 0 { return poll(signal: name, seq: seq, digest: digest, location: location) }
            let deadline = timeout.map { options.clock.now() + Millis($0 * 1000) }
            var args: [String: LuaValue] = ["name": .string(name)]
            if let timeout { args["timeout"] = .double(timeout) }
            guard journal(.intent(StepIntent(
                seq: seq, attempt: 1, kind: .signal, name: name, digest: digest, location: location,
                args: .table(args), at: options.clock.now(), deadline: deadline)), commit: true)
            else { return stopFatal() }
            crash?.hit("after-intent", seq: seq)
            pending = .signal(seq: seq, attempt: 1, name: name, deadline: deadline)
        }
        return .yield([])
    }

    /// Whether a poll (`flow.signal(name, {timeout = 0})`) is a step. A miss is not journaled at
    /// all, so polling between steps costs no record and leaves the numbering of the other steps
    /// alone; a hit is a step (intent and outcome in one commit). Replaying, the journal says
    /// which: the poll is a hit exactly when the next journaled step is this signal.
    func pollFinds(_ name: String) -> Bool {
        guard insideStep == nil else { return true }
        if machine.isReplaying {
            guard let step = machine.journal.step(machine.nextSeq) else { return false }
            return step.kind == .signal && step.name == name
        }
        var messages = inbox.pending().messages
        if messages.contains(where: { [.pause, .unpause, .promote].contains($0.message.kind) }) {
            if let error = takeOperatorMessages(messages, seq: machine.nextSeq) {
                fatal = error
                return true  // the step's decision reports the fatal error
            }
            messages = inbox.pending().messages  // a promotion just became a signal
        }
        return messages.contains { $0.message.kind == .signal && $0.message.name == name }
    }

    /// A poll that found its signal: intent and outcome in one commit, so it is never in flight.
    /// (Journals written before polls skipped misses hold misses as completed with nothing
    /// consumed; they replay as misses.)
    func poll(signal name: String, seq: Int, digest: UInt64, location: String) -> LuaHostResult {
        let now = options.clock.now()
        let intent = StepIntent(seq: seq, attempt: 1, kind: .signal, name: name, digest: digest, location: location,
                                args: .table(["name": .string(name), "timeout": .double(0)]), at: now, deadline: now)
        let message = inbox.pending().messages.first { $0.message.kind == .signal && $0.message.name == name }
        let value = message.map { $0.message.data ?? .nil } ?? .nil
        guard journal(.intent(intent), .completed(StepCompleted(seq: seq, attempt: 1, value: value, at: now, consumed: message?.file)),
                      commit: true)
        else { return stopFatal() }
        guard let message else { return .values([false]) }
        inbox.remove(message.file)
        options.observer(.stepSucceeded(seq: seq, kind: .signal, name: name, attempt: 1, millis: 0, value: value))
        return .values([true, value])
    }

    func hostNow(_ call: LuaCall) throws -> LuaHostResult {
        try journaledValue(call, kind: .now, display: "flow.now") { .double(Double(options.clock.now()) / 1000) }
    }

    func hostRandom(_ call: LuaCall) throws -> LuaHostResult {
        try journaledValue(call, kind: .random, display: "flow.random") { .double(options.random()) }
    }

    /// A value from the world (the time, a random number) recorded once and replayed after.
    /// Inside a flow.step function it is simply live: that function's result is what is journaled.
    private func journaledValue(_ call: LuaCall, kind: StepKind, display: String, _ make: () -> LuaValue) throws -> LuaHostResult {
        if insideStep != nil { return .values([make()]) }
        guard let (seq, location, decision) = try decide(call, kind: kind, name: display, digest: 0, display: display)
        else { return .yield([]) }
        if case .replay(.completed(let v, _)) = decision { return .values([v]) }
        let value = make()
        let now = options.clock.now()
        guard journal(
            .intent(StepIntent(seq: seq, attempt: 1, kind: kind, name: display, digest: 0, location: location, args: .nil, at: now, deadline: nil)),
            .completed(StepCompleted(seq: seq, attempt: 1, value: value, at: now, consumed: nil)),
            commit: true)
        else { return stopFatal() }
        return .values([value])
    }

    /// Ctrl-C, or a virtual clock with nothing left to wait for (`flow test`: the run stalled).
    var interruptRequested: Bool { StopSignal.isRequested || options.clock.isExhausted }

    /// Ctrl-C, or a cancel in the inbox (looked at no more than every poll interval unless forced).
    func checkStop(seq: Int, force: Bool) -> StopReason? {
        if interruptRequested { return .interrupted }
        guard machine.inBody else { return nil }
        let now = ContinuousClock.now
        guard force || now - lastInboxLook >= options.pollInterval else { return nil }
        lastInboxLook = now
        let messages = inbox.pending().messages
        if let error = takeOperatorMessages(messages, seq: seq) { return .fatal(error) }
        if let cancel = messages.first(where: { $0.message.kind.stops }) {
            return .cancelled(cancel.message, seq: seq)
        }
        return nil
    }
}
