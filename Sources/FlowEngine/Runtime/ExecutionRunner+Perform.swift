import FlowLua

/// The work a yielded script waits for: timers, signals and native steps, each interruptible
/// by Ctrl-C and (in the body) by a cancel request.
extension ExecutionRunner {
    enum Performed {
        case resume([LuaValue])
        case stop(StopReason)
    }

    func perform(_ work: PendingWork) async -> Performed {
        // Under the batch policy the last records may still be unsynced: make them durable
        // before going idle, however long the wait.
        if options.syncPolicy == .batch, let writer, writer.hasUnsyncedRecords {
            do { try await writer.syncSuspending() } catch { return .stop(.fatal(error)) }
        }
        switch work {
        case .stop(let reason):
            return .stop(reason)
        case .wait(let seq, let kind, let name, let until, let then):
            options.observer(.waiting(seq: seq, kind: kind, name: name, untilMillis: until))
            if let reason = await wait(until: until, seq: seq) { return .stop(reason) }
            do { return .resume(try then()) } catch { return .stop(.fatal(error)) }
        case .native(let call):
            return await performNative(call)
        case .signal(let seq, let attempt, let name, let deadline):
            return await performSignal(seq: seq, attempt: attempt, name: name, deadline: deadline)
        case .commit(let then):
            guard await commitSuspending() else { return .stop(.fatal(journalFailure)) }
            do { return .resume(try then()) } catch { return .stop(.fatal(error)) }
        }
    }

    /// Sleeps until the wall-clock `until`, waking every poll interval to look for a stop.
    func wait(until: Millis, seq: Int) async -> StopReason? {
        while true {
            if let reason = checkStop(seq: seq, force: true) { return reason }
            if options.clock.now() >= until { return nil }
            await options.clock.wait(until: until, poll: options.pollInterval)
        }
    }

    func performSignal(seq: Int, attempt: Int, name: String, deadline: Millis?) async -> Performed {
        options.observer(.waiting(seq: seq, kind: .signal, name: name, untilMillis: deadline))
        while true {
            if interruptRequested { return .stop(.interrupted) }
            var messages = inbox.pending().messages
            if messages.contains(where: { [.pause, .unpause, .promote].contains($0.message.kind) }) {
                if let error = takeOperatorMessages(messages, seq: seq, waitingFor: name) { return .stop(.fatal(error)) }
                messages = inbox.pending().messages  // a promotion just became a signal: take it in this look
            }
            if machine.inBody, let cancel = messages.first(where: { $0.message.kind.stops }) {
                return .stop(.cancelled(cancel.message, seq: seq))
            }
            if let m = messages.first(where: { $0.message.kind == .signal && $0.message.name == name }) {
                let data = m.message.data ?? .nil
                guard await journalDurably(.completed(StepCompleted(seq: seq, attempt: attempt, value: data, at: options.clock.now(), consumed: m.file)))
                else { return .stop(.fatal(journalFailure)) }
                inbox.remove(m.file)
                options.observer(.stepSucceeded(seq: seq, kind: .signal, name: name, attempt: attempt, millis: 0, value: data))
                return .resume([true, data])
            }
            if let d = deadline, options.clock.now() >= d {
                let error = StepError(name: "Timeout", message: "no signal '\(name)' arrived in time")
                guard await journalDurably(.failed(StepFailed(seq: seq, attempt: attempt, error: error, at: options.clock.now(), retryAt: nil)))
                else { return .stop(.fatal(journalFailure)) }
                return .resume([false])
            }
            await options.clock.wait(until: deadline, poll: options.pollInterval)
        }
    }

    func performNative(_ call: NativeCall) async -> Performed {
        var attempt = call.attempt
        if let at = call.notBefore {
            options.observer(.waiting(seq: call.seq, kind: .native, name: call.display, untilMillis: at))
            if let reason = await wait(until: at, seq: call.seq) { return .stop(reason) }
        }
        while true {
            if let reason = checkStop(seq: call.seq, force: true) { return .stop(reason) }
            if let reason = await holdWhilePaused(seq: call.seq) { return .stop(reason) }
            crash?.hit("before-intent", seq: call.seq)
            let deadline = call.timeout.map { options.clock.now() + Millis($0 * 1000) }
            // The intent is durable before the side effect starts: a crash from here on re-runs this attempt.
            guard await journalDurably(.intent(StepIntent(
                seq: call.seq, attempt: attempt, kind: .native, name: call.display, digest: call.digest, location: call.location,
                args: call.args, at: options.clock.now(), deadline: deadline)))
            else { return .stop(.fatal(journalFailure)) }
            crash?.hit("after-intent", seq: call.seq)
            options.observer(.stepStarted(seq: call.seq, kind: .native, name: call.display, attempt: attempt, args: call.args))
            let started = options.clock.now()
            var context = StepContext(executionID: id, seq: call.seq, attempt: attempt, logger: options.logger,
                                      settings: options.settings)
            context.clock = options.clock
            context.resumedInFlight = call.resumedInFlight && attempt == call.attempt
            if context.resumedInFlight, let checkpoint = machine.journal.checkpoint(of: call.seq), checkpoint.attempt == attempt {
                // The fold keeps it across the intent just written again for this attempt.
                context.resumedCheckpoint = checkpoint.value
            }
            var result = call.analysis == nil ? await invoke(call, context: context) : await analyse(call, context: context)
            let elapsed = options.clock.now() - started
            // What the journal cannot hold fails the step rather than stopping the run for good.
            if case .value(let value) = result, let problem = JournalBounds.problem(with: value, what: "\(call.display) returned") {
                result = .failure(StepError(name: "ResultTooLarge", message: problem), retryable: false)
            } else if case .failure(let error, let retryable) = result, !error.isBounded {
                result = .failure(error.bounded, retryable: retryable)
            }
            switch result {
            case .stopped(let reason):
                return .stop(reason)
            case .value(let value):
                guard await journalDurably(.completed(StepCompleted(seq: call.seq, attempt: attempt, value: value, at: options.clock.now(), consumed: nil)))
                else { return .stop(.fatal(journalFailure)) }
                crash?.hit("after-outcome", seq: call.seq)
                if call.analysis != nil, case .table(let verdict) = value {
                    options.observer(.gateFinished(seq: call.seq, name: call.display, status: verdict["status"]?.stringValue ?? "?",
                                                   measurements: { if case .int(let n)? = verdict["measurements"] { Int(n) } else { 0 } }(), millis: elapsed,
                                                   value: value))
                } else {
                    options.observer(.stepSucceeded(seq: call.seq, kind: .native, name: call.display, attempt: attempt, millis: elapsed, value: value))
                }
                return .resume([true, value])
            case .failure(let error, let retryable):
                let delay = retryable ? call.policy.delay(after: attempt, error: error, unit: options.random()) : nil
                let retryAt = delay.map { options.clock.now() + Millis($0 * 1000) }
                guard await journalDurably(.failed(StepFailed(seq: call.seq, attempt: attempt, error: error, at: options.clock.now(), retryAt: retryAt)))
                else { return .stop(.fatal(journalFailure)) }
                crash?.hit("after-outcome", seq: call.seq)
                options.observer(.stepFailed(seq: call.seq, kind: .native, name: call.display, attempt: attempt, error: error,
                                             retryInMillis: delay.map { Int64($0 * 1000) }))
                guard let at = retryAt else { return .resume([false, error.luaValue]) }
                if let reason = await wait(until: at, seq: call.seq) { return .stop(reason) }
                attempt += 1
            }
        }
    }

    enum Invocation: Sendable {
        case value(LuaValue)
        case failure(StepError, retryable: Bool)
        case stopped(StopSignalled)
    }

    enum StopSignalled: Sendable {
        case interrupted
        case cancelled(InboxMessage)
    }

    /// What one child task of an invocation brings back: how it ended (nil: cancelled, look
    /// again), or a checkpoint the step asks the runner to journal.
    enum Arrival: Sendable {
        case ended(Invocation?)
        case checkpoint(CheckpointChannel.Request)

        static func next(from channel: CheckpointChannel) async -> Arrival {
            await channel.receive().map(Arrival.checkpoint) ?? .ended(nil)
        }
    }

    /// Runs the step function in a child task while a watcher looks for Ctrl-C, a cancel and
    /// the timeout; whichever comes first wins and the other is cancelled (a process is killed).
    func invoke(_ call: NativeCall, context: StepContext) async -> InvocationResult {
        let function = call.function
        let prepared = call.prepared
        let inbox = self.inbox
        let watchCancel = machine.inBody
        let poll = options.pollInterval
        let timeout = call.timeout
        let display = call.display
        let clock = options.clock
        // Per invocation: each measurement of a gate has the whole timeout.
        let deadline = timeout.map { clock.now() + Millis($0 * 1000) }
        // A gate's measurements record nothing between its intent and its verdict.
        let checkpoints = call.analysis == nil ? CheckpointChannel() : nil
        let context = {
            var c = context
            c.deadline = deadline
            if let checkpoints { c.checkpointRecorder = { try await checkpoints.send($0) } }
            return c
        }()
        let result: Invocation = await withTaskGroup(of: Arrival.self) { group in
            group.addTask {
                do {
                    return .ended(.value(try await function.invoke(prepared, context)))
                } catch let f as StepFailure {
                    return .ended(.failure(StepError(name: f.name, message: f.message), retryable: f.retryable))
                } catch is CancellationError {
                    return .ended(nil)
                } catch let e as LuaArgumentError {
                    return .ended(.failure(StepError(name: "InvalidArgument", message: "\(display): \(e)"), retryable: false))
                } catch {
                    return .ended(.failure(StepError(name: String(describing: type(of: error)), message: "\(error)"), retryable: true))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    if StopSignal.isRequested || clock.isExhausted { return .ended(.stopped(.interrupted)) }
                    if watchCancel, let c = inbox.pending().messages.first(where: { $0.message.kind.stops }) {
                        return .ended(.stopped(.cancelled(c.message)))
                    }
                    if let t = timeout, let deadline, clock.now() >= deadline {
                        return .ended(.failure(StepError(name: "Timeout", message: "\(display) ran longer than its timeout of \(t) s"), retryable: true))
                    }
                    // Real time: the step's own time passes in its body (a virtual clock stops it
                    // at the deadline, so this look sees the timeout).
                    try? await Task.sleep(for: clock.isVirtual ? .milliseconds(1) : poll)
                }
                return .ended(nil)
            }
            if let checkpoints { group.addTask { await Arrival.next(from: checkpoints) } }
            var first: Invocation?
            while first == nil, let next = await group.next() {
                switch next {
                case .ended(let ended):
                    first = ended
                case .checkpoint(let request):
                    // Journaled here, in the runner's own task, between the intent and the outcome.
                    let record = StepCheckpoint(seq: call.seq, attempt: context.attempt, value: request.value, at: clock.now())
                    if await journalDurably(.stepCheckpoint(record)) {
                        crash?.hit("after-checkpoint", seq: call.seq)
                        request.done.resume()
                    } else {
                        request.done.resume(throwing: StepFailure("JournalFailure", "\(journalFailure)", retryable: false))
                    }
                    if let checkpoints { group.addTask { await Arrival.next(from: checkpoints) } }
                }
            }
            group.cancelAll()
            checkpoints?.close()
            // A checkpoint taken but not journaled (a stop won the race): its step, cancelled now,
            // must not wait for it, or the group would wait for that step forever.
            while let rest = await group.next() {
                if case .checkpoint(let request) = rest { request.done.resume(throwing: CancellationError()) }
            }
            return first ?? .stopped(.interrupted)
        }
        switch result {
        case .value(let v): return .value(v)
        case .failure(let e, let r): return .failure(e, retryable: r)
        case .stopped(.interrupted): return .stopped(.interrupted)
        case .stopped(.cancelled(let m)): return .stopped(.cancelled(m, seq: call.seq))
        }
    }

    enum InvocationResult {
        case value(LuaValue)
        case failure(StepError, retryable: Bool)
        case stopped(StopReason)
    }
}
