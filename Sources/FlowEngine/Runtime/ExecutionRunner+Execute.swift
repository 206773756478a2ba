import Foundation
import FlowLua

/// The body, then compensation when it fails or is cancelled, then the final record.
extension ExecutionRunner {
    enum DriveEnd {
        case returned([LuaValue])
        case failed(LuaError)
        case stopped(StopReason)
    }

    /// Resumes `thread` until it returns, fails, or a host primitive asks to stop.
    func drive(_ thread: LuaThread) async -> DriveEnd {
        currentThread = thread
        var input: [LuaArgument] = []
        while true {
            switch thread.resume(input) {
            case .returned(let values):
                return .returned(values)
            case .failed(let error):
                return .failed(error)
            case .yielded:
                guard let work = pending else {
                    let place = thread.location.map { "\($0): " } ?? ""
                    return .failed(LuaError(kind: .runtime, message: "\(place)the workflow yielded outside a flow call (coroutine.yield is only for coroutines the workflow creates)"))
                }
                pending = nil
                switch await perform(work) {
                case .resume(let values):
                    input = [.value(true)] + values.map { .value($0) }
                case .stop(let reason):
                    return .stopped(reason)
                }
            }
        }
    }

    func execute() async throws -> RunOutcome {
        let end = await drive(LuaThread(state: lua, function: chunk!))
        // The body's coroutine is dropped here, so what it held can be collected before
        // compensation runs in the same interpreter.
        currentThread = nil
        switch end {
        case .returned(let values):
            if options.replayOnly { return try await replayOnlyBodyReturned(values.first ?? .nil) }
            if let e = machine.checkBodyEnded() { throw RunError(.determinism, e.description) }
            if let c = machine.journal.compensating {
                return try await compensate(reason: c.reason, error: c.error, atSeq: c.atSeq)
            }
            if !paramsDeclared, !rawParams.isEmpty, machine.journal.steps.isEmpty {
                return try abandon(usage: "parameters were given (\(rawParams.keys.sorted().joined(separator: ", "))) but the workflow declares none: add flow.params{...}")
            }
            let value = values.first ?? .nil
            if let problem = JournalBounds.problem(with: value, what: "the workflow returned") {
                return try await compensate(reason: .failed, error: StepError(name: "InvalidResult", message: problem), atSeq: machine.nextSeq)
            }
            return try await finish(.succeeded, value: value, error: nil)
        case .failed(let luaError):
            if luaError.kind == .instructionLimit || luaError.kind == .memoryLimit {
                options.observer(.warning(luaError.message))
            }
            if options.replayOnly { return try await replayOnlyBodyFailed(Self.stepError(from: luaError)) }
            if let e = machine.checkBodyEnded() { throw RunError(.determinism, e.description) }
            return try await compensate(reason: .failed, error: Self.stepError(from: luaError), atSeq: machine.nextSeq)
        case .stopped(let reason):
            return try await stopped(reason)
        }
    }

    func stopped(_ reason: StopReason) async throws -> RunOutcome {
        switch reason {
        case .interrupted:
            options.observer(.finished(.interrupted))
            return .interrupted
        case .cancelled(let message, let seq):
            let why = message.reason.map { ": \($0)" } ?? ""
            if message.kind == .abort {
                let error = StepError(name: "Aborted", message: "aborted by \(message.from)\(why)")
                return try await compensate(reason: .aborted, error: error, atSeq: seq)
            }
            let error = StepError(name: "Cancelled", message: "cancelled by \(message.from)\(why)")
            return try await compensate(reason: .cancelled, error: error, atSeq: seq)
        case .cancelledInJournal:
            guard let c = machine.journal.compensating else { throw RunError(.internalError, "cancel point without a record") }
            return try await compensate(reason: c.reason, error: c.error, atSeq: c.atSeq)
        case .determinism(let e):
            throw RunError(.determinism, e.description)
        case .usage(let message):
            return try abandon(usage: message)
        case .fatal(let error):
            throw RunError(.internalError, "execution '\(id)' stopped: \(error); it can be resumed once the cause is fixed")
        case .replayOnly(let stop):
            throw stop
        }
    }

    /// Bad parameters found before any step ran: the execution never really started, so it is
    /// removed rather than left behind as failed.
    func abandon(usage message: String) throws -> RunOutcome {
        if createdNow, machine.journal.steps.isEmpty {
            release()
            try? FileManager.default.removeItem(atPath: options.home.directory(of: id))
        }
        throw RunError(.usage, message)
    }

    /// Runs the `flow.on_failure` handlers, newest first, each once and durably, then records
    /// the final status. A handler that fails does not stop the others.
    func compensate(reason: CompensationReason, error: StepError, atSeq: Int) async throws -> RunOutcome {
        if machine.journal.compensating == nil {
            let nextSeq = machine.journal.step(atSeq) != nil ? atSeq + 1 : atSeq
            let record = Compensating(reason: reason, error: error, atSeq: atSeq, nextSeq: nextSeq, at: options.clock.now())
            guard await journalDurably(.compensating(record)) else { throw RunError(.internalError, "\(journalFailure)") }
            crash?.hit("after-compensating", seq: atSeq)
        }
        let record = machine.journal.compensating!
        announce()
        // The body may have stopped anywhere, even inside a step's function or past a limit.
        insideStep = nil
        lua.resetLimits()
        for cancel in inbox.pending().messages where cancel.message.kind.stops { inbox.remove(cancel.file) }
        machine.enterCompensation(nextSeq: record.nextSeq)
        options.observer(.compensating(record.reason, record.error))
        var problems: [String] = []
        for handler in compensations.reversed() {
            switch await drive(LuaThread(state: lua, function: handler)) {
            case .returned:
                break
            case .failed(let e):
                problems.append(e.message)
                options.observer(.warning("compensation failed: \(e.message)"))
            case .stopped(let reason):
                switch reason {
                case .interrupted:
                    options.observer(.finished(.interrupted))
                    return .interrupted
                case .determinism(let e):
                    throw RunError(.determinism, e.description)
                case .fatal(let e):
                    throw RunError(.internalError, "execution '\(id)' stopped during compensation: \(e)")
                case .usage(let m):
                    problems.append(m)
                case .cancelled, .cancelledInJournal:
                    break
                case .replayOnly(let stop):
                    throw stop
                }
            }
        }
        if options.replayOnly { try replayOnlyCompensationEnded() }
        var final = record.error
        if !problems.isEmpty { final.message += " (compensation failed: \(problems.joined(separator: "; ")))" }
        final = final.bounded
        let status: FinalStatus = switch record.reason {
        case .failed: .failed
        case .cancelled: .cancelled
        case .aborted: .aborted
        }
        return try await finish(status, value: .nil, error: final)
    }

    func finish(_ status: FinalStatus, value: LuaValue, error: StepError?) async throws -> RunOutcome {
        announce()
        guard await journalDurably(.finished(ExecutionFinished(status: status, value: value, error: error, at: options.clock.now())))
        else { throw RunError(.internalError, "cannot record the end of '\(id)': \(journalFailure)") }
        ExecutionIndex.recordFinished(home: options.home, id: id, state: machine.journal)
        let outcome: RunOutcome = switch status {
        case .succeeded: .succeeded(value)
        case .failed: .failed(error ?? StepError(name: "Error", message: "failed"))
        case .cancelled: .cancelled(error ?? StepError(name: "Cancelled", message: "cancelled"))
        case .aborted: .aborted(error ?? StepError(name: "Aborted", message: "aborted"))
        }
        options.observer(.finished(outcome))
        return outcome
    }
}
