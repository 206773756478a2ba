import FlowEngine
import FlowLua

/// How a replay-only run of the script against the history ended.
enum ReplayEnd {
    /// The script reached its end with every recorded step replayed (nothing ran).
    case outcome(RunOutcome)
    /// The history ended, or the script parted from it.
    case stop(ReplayOnlyStop)
    /// The script could not run at all (a syntax error is a usage error with file:line).
    case error(RunError)
}

extension ReplayReport {
    init(verdict: Verdict, history: String, script: String) {
        self.verdict = verdict
        self.history = history
        self.script = script
    }

    /// The verdict on a replay-only run: pure, so each kind of divergence is one branch here.
    static func judge(_ end: ReplayEnd, history h: RecordedHistory, historyPath: String, scriptPath: String) -> ReplayReport {
        var r = ReplayReport(verdict: .consistent, history: historyPath, script: scriptPath)
        r.execution = h.started.id
        r.workflow = h.started.workflow
        r.historyStatus = h.status
        r.recordedSteps = h.steps.count
        switch end {
        case .error(let e):
            r.verdict = e.code == .usage ? .invalid : .failed
            r.problem = e.message
        case .outcome(let outcome):
            r.judgeEnd(outcome, h)
        case .stop(.historyEnds(let next)):
            r.judgeHistoryEnd(next, h)
        case .stop(.diverged(let e, let args, let inCompensation)):
            r.judgeMismatch(e, scriptArgs: args, inCompensation: inCompensation, h)
        case .stop(.bodyEnded(let end, let steps)):
            r.judgeBodyEnd(end, steps: steps, h)
        case .stop(.paramsRejected(let message)):
            r.replayedSteps = 0
            r.diverge(.paramsRejected, seq: nil, compensation: false,
                      recorded: Side(text: "parameters " + Self.render(.table(h.started.params))),
                      now: Side(text: message),
                      hint: "a flow.params change: the parameters the execution was started with are refused now")
        }
        return r
    }

    // MARK: the kinds of ending

    /// The script asked for a step the history does not hold settled.
    private mutating func judgeHistoryEnd(_ next: ReplayOnlyStop.NextStep, _ h: RecordedHistory) {
        replayedSteps = next.seq - 1
        let step = Step(next)
        guard let finished = h.finished else {
            nextStep = step
            describeNext(next, step)
            return
        }
        let part = next.inCompensation ? "its on_failure handlers now ask" : "the script now asks"
        diverge(.stepAdded, seq: next.seq, compensation: next.inCompensation,
                recorded: Side(text: "nothing: the history finished (\(finished.status.rawValue)) after \(h.steps.count) steps"),
                now: Side(text: Self.describe(step), step: step),
                hint: "a step added after the end: the history had finished, \(part) for \(Self.named(step)) at \(step.location)")
    }

    private mutating func describeNext(_ next: ReplayOnlyStop.NextStep, _ step: Step) {
        let what = "\(Self.call(step)) at \(step.location) (step \(step.seq)\(next.inCompensation ? ", on_failure" : ""))"
        switch next.state {
        case .new:
            self.next = "a resume would go on with " + what
        case .inFlight(let attempt):
            self.next = "a resume would carry on with " + what + ", in flight when the history was exported (attempt \(attempt))"
        case .retry(let attempt, let at):
            self.next = "a resume would retry " + what + ": attempt \(attempt) at \(WallClock.iso8601(at))"
        }
    }

    /// The script asked for another step than the recorded one, or ended before the recorded steps did.
    private mutating func judgeMismatch(_ e: DeterminismError, scriptArgs: LuaValue?, inCompensation: Bool, _ h: RecordedHistory) {
        replayedSteps = e.seq - 1
        let recorded = h.step(e.seq).map { Step($0, compensation: h.inCompensation($0.seq)) }
        let recordedSide = recorded.map { Side(text: Self.describe($0), step: $0) }
            ?? Side(text: "nothing: the history holds \(h.steps.count) steps")
        guard let now = e.now else {
            let part = inCompensation ? "the on_failure handlers end" : "the body ends"
            diverge(.stepRemoved, seq: e.seq, compensation: inCompensation, recorded: recordedSide,
                    now: Side(text: "nothing: \(part) before step \(e.seq)"),
                    hint: "a step removed: the script no longer asks for step \(e.seq)"
                        + (recorded.map { ", \(Self.named($0)) (recorded at \($0.location))" } ?? ""))
            return
        }
        let step = Step(seq: e.seq, kind: now.kind.rawValue, name: now.name, args: scriptArgs.flatMap(Self.present),
                        location: now.location, digest: StepDigest.hex(now.digest), compensation: inCompensation)
        let nowSide = Side(text: Self.describe(step), step: step)
        guard let recorded else {
            diverge(.stepAdded, seq: e.seq, compensation: inCompensation, recorded: recordedSide, now: nowSide,
                    hint: "a step added after the end: the script now asks for \(Self.named(step))")
            return
        }
        if recorded.kind != step.kind || recorded.name != step.name {
            let whose = recorded.compensation == inCompensation ? ""
                : inCompensation ? " (the on_failure handlers now run where the history's body went on)"
                : " (the body now goes on where the history's on_failure handlers ran)"
            diverge(.anotherStep, seq: e.seq, compensation: inCompensation || recorded.compensation, recorded: recordedSide, now: nowSide,
                    hint: "another step: the script now asks for \(Self.named(step)) where the history has \(Self.named(recorded))\(whose)")
            return
        }
        diverge(.otherArguments, seq: e.seq, compensation: inCompensation, recorded: recordedSide, now: nowSide,
                hint: "other arguments: \(Self.named(step)) is called with other arguments than recorded"
                    + (Self.changedKeys(recorded.args, step.args).map { " (\($0))" } ?? ""))
    }

    /// The body returned or raised otherwise than the history's.
    private mutating func judgeBodyEnd(_ end: ReplayOnlyStop.BodyEnd, steps: Int, _ h: RecordedHistory) {
        replayedSteps = steps
        let nowText: String = switch end {
        case .returned(let v): "the body returns \(Self.render(v)) after \(steps) steps"
        case .failed(let e): "the body raises \(e.name): \(e.message) after \(steps) steps"
        }
        let nowShort: String = switch end {
        case .returned: "now returns"
        case .failed(let e): "now raises \(e.name)"
        }
        if let c = h.compensating {
            let recordedText: String = switch c.reason {
            case .failed: "the body raised \(c.error.name): \(c.error.message) after \(h.bodySteps) steps"
            case .cancelled, .aborted: "the body was \(c.reason.rawValue) at step \(c.atSeq): \(c.error.message)"
            }
            let was: String = switch c.reason {
            case .failed: "raised \(c.error.name)"
            case .cancelled, .aborted: "was \(c.reason.rawValue) at step \(c.atSeq)"
            }
            diverge(.differentOutcome, seq: nil, compensation: false, recorded: Side(text: recordedText), now: Side(text: nowText),
                    hint: "a different outcome: the history's body \(was), the script's \(nowShort)")
            return
        }
        if let finished = h.finished {
            diverge(.differentOutcome, seq: nil, compensation: false,
                    recorded: Side(text: "the body returned: \(End(finished).text)"), now: Side(text: nowText),
                    hint: "a different outcome: the history \(finished.status.rawValue), the script's body \(nowShort)")
            return
        }
        if steps < h.steps.count, let next = h.step(steps + 1) {
            let recorded = Step(next, compensation: false)
            diverge(.differentOutcome, seq: steps + 1, compensation: false,
                    recorded: Side(text: "the body went on with " + Self.describe(recorded), step: recorded), now: Side(text: nowText),
                    hint: "a different outcome: the script's body \(nowShort) before step \(steps + 1), which the history holds")
            return
        }
        switch end {
        case .failed(let e):
            next = "a resume would end the body with \(e.name): \(e.message), then run the on_failure handlers"
        case .returned(let v):
            next = "a resume would finish the workflow: succeeded with \(Self.render(v))"
        }
    }

    /// The script reached its end: the history's end must be the same.
    private mutating func judgeEnd(_ outcome: RunOutcome, _ h: RecordedHistory) {
        replayedSteps = h.steps.count
        let now: End
        switch outcome {
        case .succeeded(let v): now = End(status: .succeeded, value: v, error: nil)
        case .failed(let e): now = End(status: .failed, value: .nil, error: e)
        case .cancelled(let e): now = End(status: .cancelled, value: .nil, error: e)
        case .aborted(let e): now = End(status: .aborted, value: .nil, error: e)
        case .interrupted, .alreadyFinished:
            verdict = .failed
            problem = "the replay stopped before the script's end (\(outcome))"
            return
        }
        guard let finished = h.finished else {
            next = "a resume would finish the workflow: \(now.text)"
            return
        }
        let recorded = End(finished)
        if recorded.matches(now) {
            next = "the script ends as the history did: \(now.text)"
            return
        }
        let hint: String
        if recorded.status == .succeeded && now.status == .succeeded {
            hint = "a different outcome: the script now returns another value"
        } else if recorded.status == now.status && recorded.error?.name == now.error?.name {
            hint = "a different outcome: the on_failure handlers now " + (now.compensationFailed ? "fail" : "succeed")
        } else {
            hint = "a different outcome: the history \(recorded.short), the script \(now.short)"
        }
        diverge(.differentOutcome, seq: nil, compensation: recorded.status != .succeeded || now.status != .succeeded,
                recorded: Side(text: recorded.text), now: Side(text: now.text), hint: hint)
    }

    /// How a workflow ended, recorded or now.
    struct End {
        var status: FinalStatus
        var value: LuaValue
        var error: StepError?

        init(status: FinalStatus, value: LuaValue, error: StepError?) {
            self.status = status
            self.value = value
            self.error = error
        }

        init(_ f: ExecutionFinished) { self.init(status: f.status, value: f.value, error: f.error) }

        func matches(_ other: End) -> Bool {
            guard status == other.status else { return false }
            if status == .succeeded { return value == other.value }
            return error?.name == other.error?.name && compensationFailed == other.compensationFailed
        }

        /// `compensate` appends this to the final error when an `on_failure` handler failed.
        var compensationFailed: Bool { error?.message.contains(" (compensation failed: ") == true }

        var text: String {
            switch status {
            case .succeeded: value.isNil ? "succeeded (no result)" : "succeeded with \(ReplayReport.render(value))"
            default: "\(status.rawValue): \(error.map { "\($0.name): \($0.message)" } ?? "no error")"
            }
        }

        var short: String { status == .succeeded ? "succeeded" : "\(status.rawValue) (\(error?.name ?? "?"))" }
    }

    private mutating func diverge(_ kind: Divergence.Kind, seq: Int?, compensation: Bool, recorded: Side, now: Side, hint: String) {
        verdict = .divergent
        divergence = Divergence(kind: kind, seq: seq, compensation: compensation, recorded: recorded, now: now, hint: hint)
    }

    // MARK: comparing and wording

    /// "native 'flow.exec' {"cmd":"..."}"
    static func call(_ s: Step) -> String {
        named(s) + (s.args.map { " " + render($0) } ?? "")
    }

    /// nil for `.nil` (a bare `nil` here would be LuaValue's own nil literal).
    static func present(_ v: LuaValue) -> LuaValue? { v.isNil ? .none : .some(v) }

    /// "native 'flow.exec'"
    static func named(_ s: Step) -> String { "\(s.kind) '\(s.name)'" }

    /// "step 3: native 'flow.exec' {...} at w.lua:5"
    static func describe(_ s: Step) -> String {
        "step \(s.seq): \(call(s)) at \(s.location)" + (s.compensation ? " (on_failure)" : "")
    }

    static func render(_ v: LuaValue) -> String {
        let text = ReadableValue.render(v)
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    /// "cmd differs", "timeout added": for tables of arguments.
    static func changedKeys(_ a: LuaValue?, _ b: LuaValue?) -> String? {
        guard case .table(let x)? = a, case .table(let y)? = b else { return nil }
        var parts: [String] = []
        for key in Set(x.keys).union(y.keys).sorted() {
            switch (x[key], y[key]) {
            case (nil, _?): parts.append("\(key) added")
            case (_?, nil): parts.append("\(key) removed")
            case (let p?, let q?) where p != q: parts.append("\(key) differs")
            default: break
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

extension ReplayReport.Step {
    init(_ r: StepRecord, compensation: Bool) {
        self.init(seq: r.seq, kind: r.kind.rawValue, name: r.name, args: ReplayReport.present(r.args), location: r.location,
                  digest: StepDigest.hex(r.digest), compensation: compensation)
    }

    init(_ n: ReplayOnlyStop.NextStep) {
        let state: String = switch n.state {
        case .new: "new"
        case .inFlight(let attempt): "in flight (attempt \(attempt))"
        case .retry(let attempt, let at): "retry (attempt \(attempt) at \(WallClock.iso8601(at)))"
        }
        self.init(seq: n.seq, kind: n.kind.rawValue, name: n.name, args: ReplayReport.present(n.args), location: n.location,
                  digest: nil, compensation: n.inCompensation, state: state)
    }
}
