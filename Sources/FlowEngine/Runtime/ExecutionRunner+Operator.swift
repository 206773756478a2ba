import FlowLua

/// Operator commands from the inbox (`flow pause|unpause|promote`): each is journaled with who,
/// why and where before it acts, so `flow status` and `flow show` can say what happened, and a
/// resume knows the execution is paused.
extension ExecutionRunner {
    /// Held before the next native step: the last pause was not followed by an unpause or a
    /// promotion.
    var isPaused: Bool {
        for a in machine.journal.operatorActions.reversed() {
            switch a.action {
            case .pause: return true
            case .unpause, .promote, .promoteFull: return false
            }
        }
        return false
    }

    /// Takes every operator message waiting. A promotion becomes the signal `promote` (or
    /// `promote_full`, which a workflow checks between its steps), posted before the record:
    /// a crash in between leaves the message, which the resume takes again and posts to the
    /// same file name, so one command is never two promotions. `waitingFor`: the signal the
    /// execution is waiting for now; a full promotion also ends a wait for `promote`.
    /// `messages`: the inbox as the caller just read it (one directory read per look).
    func takeOperatorMessages(_ messages: [(file: String, message: InboxMessage)], seq: Int,
                              waitingFor: String? = nil) -> Error? {
        guard machine.inBody else { return nil }
        let taken = Set(machine.journal.operatorActions.map(\.message))
        for (file, m) in messages {
            let action: OperatorAction.Action
            switch m.kind {
            case .pause: action = .pause
            case .unpause: action = .unpause
            case .promote: action = m.name == OperatorAction.Action.promoteFull.rawValue ? .promoteFull : .promote
            case .signal, .cancel, .abort: continue
            }
            if taken.contains(file) {
                inbox.remove(file)
                continue
            }
            let force: Bool = if case .table(let t)? = m.data, case .bool(true)? = t["force"] { true } else { false }
            if action == .promote || action == .promoteFull {
                var data: [String: LuaValue] = ["by": .string(m.from), "full": .bool(action == .promoteFull), "force": .bool(force)]
                data["reason"] = m.reason.map { .string($0) }
                var names = [action.rawValue]
                if action == .promoteFull, waitingFor == OperatorAction.Action.promote.rawValue { names.append("promote") }
                for name in names {
                    let signal = InboxMessage(kind: .signal, name: name, data: .table(data), from: m.from, reason: m.reason, at: m.at)
                    do {
                        try inbox.post(signal, as: String(file.dropLast(5)) + "-\(name).json")
                    } catch {
                        return error
                    }
                }
            }
            let record = OperatorAction(action: action, by: m.from, reason: m.reason, at: options.clock.now(), seq: seq, force: force,
                                        message: file)
            guard journal(.operatorAction(record), commit: true) else { return journalFailure }
            inbox.remove(file)
            options.observer(.operatorAction(action: action.rawValue, by: m.from, reason: m.reason))
        }
        return nil
    }

    /// Before a native step: while paused, wait (taking further commands, watching for a stop).
    /// Timers are not held: a sleep that ends during the pause simply finds the next step held.
    func holdWhilePaused(seq: Int) async -> StopReason? {
        while isPaused {
            if let reason = checkStop(seq: seq, force: true) { return reason }
            if !isPaused { return nil }
            await options.clock.wait(until: nil, poll: options.pollInterval)
        }
        return nil
    }
}
