import FlowEngine

/// Which of a run's events a person wants on a webhook, and what each says: a pure state machine
/// (event in, payloads out; no I/O), fed every event of one execution in order.
///
/// | `event`          | sent when                                                                   |
/// |------------------|-----------------------------------------------------------------------------|
/// | `started`        | the execution starts (`resumed` when a process carries it on)               |
/// | `step_completed` | a `flow.step` or native step succeeds (not flow.notify's own, nor gates)    |
/// | `gate_failed`    | a gate's verdict is fail                                                    |
/// | `paused`         | an operator paused it, or it waits for a signal (`promote` after an inconclusive gate, `approve`, ...) |
/// | `unpaused`       | an operator unpaused it                                                     |
/// | `promoted`       | an operator promoted it (`flow promote`, or the `promote` signal)           |
/// | `aborted`        | `flow abort`: it stops now and fails back                                   |
/// | `rolling_back`   | it failed or was cancelled: its on_failure handlers (the fail-back) run     |
/// | `rolled_back`    | it ended failed, cancelled or aborted after its on_failure handlers ran steps (`status` says which) |
/// | `succeeded`, `failed`, `cancelled` | it ended (`failed`/`cancelled`/`aborted` when no handler ran a step) |
/// | `interrupted`    | the process was stopped (Ctrl-C, SIGTERM); `flow resume` carries on          |
///
/// Every payload has `text` (Slack-compatible), `event`, `execution_id`, `workflow`, `time`;
/// step events add `seq`, `step`, `kind`, `attempt`, `millis` and, when the step set or read
/// weights, `weights`; ends add `status` and `error` (`{name, message}`).
public struct RolloutNotices: Sendable {
    public private(set) var executionID = "?"
    public private(set) var workflow = "?"
    /// The weights a native step was called with, by seq, until it ends.
    private var requestedWeights: [Int: StepValue] = [:]
    private var compensating = false
    private var compensationSteps = 0
    /// An operator's promotion was announced; the `promote` / `promote_full` signals it posts
    /// are not announced again (until the next step completes).
    private var promotionAnnounced = false

    public init() {}

    /// The payloads to send for `event` (usually none or one), each with its `event` kind;
    /// `now` is the wall clock (milliseconds since 1970) when it happened.
    public mutating func payloads(for event: ExecutionEvent, now: Millis) -> [(kind: String, fields: [String: StepValue])] {
        guard let (kind, text, extra) = describe(event, now: now) else { return [] }
        var fields = extra
        fields["event"] = .string(kind)
        fields["text"] = .string("flow: `\(executionID)` (\(workflow)): \(text)")
        fields["execution_id"] = .string(executionID)
        fields["workflow"] = .string(workflow)
        fields["time"] = .string(WallClock.iso8601(now))
        return [(kind, fields)]
    }

    private mutating func describe(_ event: ExecutionEvent, now: Millis) -> (String, String, [String: StepValue])? {
        switch event {
        case .started(let id, let workflow, let resumed):
            executionID = id
            self.workflow = workflow
            return resumed ? ("resumed", "resumed", [:]) : ("started", "started", [:])

        case .stepStarted(let seq, _, _, _, let args):
            if compensating { compensationSteps += 1 }
            if case .table = args["weights"] { requestedWeights[seq] = args["weights"] }
            return nil

        case .stepSucceeded(let seq, let kind, let name, let attempt, let millis, let value):
            let requested = requestedWeights.removeValue(forKey: seq)
            if kind == .signal {
                return signalTaken(name, data: value)
            }
            promotionAnnounced = false
            guard kind == .step || kind == .native, name != "flow.notify", name != "notify.send" else { return nil }
            var fields = stepFields(seq: seq, kind: kind, name: name, attempt: attempt, millis: millis)
            var text = "step \(seq) `\(name)` completed (\(millis) ms)"
            if let weights = Self.weights(in: value) ?? requested {
                fields["weights"] = weights
                text += ": weights \(Self.describe(weights: weights))"
            }
            return ("step_completed", text, fields)

        case .stepFailed(let seq, _, _, _, _, let retryIn):
            if retryIn == nil { requestedWeights[seq] = nil }
            return nil

        case .gateFinished(let seq, let name, let status, let measurements, let millis, let value):
            guard status == "fail" else { return nil }
            var fields = stepFields(seq: seq, kind: .native, name: name, attempt: 1, millis: millis)
            fields["gate"] = value
            let reason = value["reason"].stringValue ?? "failed"
            return ("gate_failed", "gate `\(name)` FAILED after \(measurements) measurement\(measurements == 1 ? "" : "s"): \(reason)", fields)

        case .waiting(let seq, let kind, let name, let until) where kind == .signal:
            // A look for a signal that does not wait (`flow.signal("promote_full", { timeout = 0 })`
            // before each step of the canary) is not a pause.
            if name == "promote_full" { return nil }
            if let until, until - now < 1000 { return nil }
            var fields: [String: StepValue] = ["seq": .int(Int64(seq)), "signal": .string(name)]
            if name == "promote" {
                fields["reason"] = "waiting for promotion"
                return ("paused", "paused: waiting for `flow promote \(executionID)` (or `flow abort \(executionID)` to fail back)", fields)
            }
            return ("paused", "waiting for the signal `\(name)`: `flow signal \(executionID) \(name)`", fields)

        case .operatorAction(let action, let by, let reason):
            var fields: [String: StepValue] = ["by": .string(by), "action": .string(action)]
            if let reason { fields["reason"] = .string(reason) }
            let why = reason.map { ": \($0)" } ?? ""
            switch action {
            case "pause": return ("paused", "paused by \(by)\(why)", fields)
            case "unpause": return ("unpaused", "unpaused by \(by)\(why)", fields)
            case "promote", "promote_full":
                promotionAnnounced = true
                return ("promoted", (action == "promote_full" ? "fully promoted" : "promoted") + " by \(by)\(why)", fields)
            default: return (action, "\(action) by \(by)\(why)", fields)
            }

        case .compensating(let reason, let error):
            compensating = true
            compensationSteps = 0
            let fields: [String: StepValue] = ["reason": .string(reason.rawValue), "error": error.luaValue]
            switch reason {
            case .aborted: return ("aborted", "ABORTED (\(error)); failing back", fields)
            case .cancelled: return ("rolling_back", "cancelled (\(error)); rolling back", fields)
            case .failed: return ("rolling_back", "FAILED (\(error)); rolling back", fields)
            }

        case .finished(let outcome):
            return finished(outcome)

        case .replayed, .measured, .log, .warning, .waiting:
            return nil
        }
    }

    private mutating func signalTaken(_ name: String, data: StepValue) -> (String, String, [String: StepValue])? {
        guard name == "promote" || name == "promote_full" else { return nil }
        if promotionAnnounced { return nil }
        var fields: [String: StepValue] = ["action": .string(name)]
        let by = data["by"].stringValue
        if let by { fields["by"] = .string(by) }
        return ("promoted", "promoted" + (by.map { " by \($0)" } ?? ""), fields)
    }

    private func finished(_ outcome: RunOutcome) -> (String, String, [String: StepValue])? {
        let rolledBack = compensating && compensationSteps > 0
        func end(_ status: String, _ error: StepError) -> (String, String, [String: StepValue]) {
            let fields: [String: StepValue] = ["status": .string(status), "error": error.luaValue, "rolled_back": .bool(rolledBack)]
            if rolledBack { return ("rolled_back", "\(status.uppercased()) and rolled back (on_failure handlers ran): \(error)", fields) }
            return (status, "\(status.uppercased()): \(error)", fields)
        }
        switch outcome {
        case .succeeded: return ("succeeded", "succeeded", ["status": "succeeded"])
        case .failed(let e): return end("failed", e)
        case .cancelled(let e): return end("cancelled", e)
        case .aborted(let e): return end("aborted", e)
        case .interrupted:
            return ("interrupted", "interrupted; it is resumable: `flow resume \(executionID)`", ["status": "interrupted"])
        case .alreadyFinished: return nil
        }
    }

    private func stepFields(seq: Int, kind: StepKind, name: String, attempt: Int, millis: Int64) -> [String: StepValue] {
        ["seq": .int(Int64(seq)), "step": .string(name), "kind": .string(kind.rawValue), "attempt": .int(Int64(attempt)),
         "millis": .int(millis)]
    }

    /// `weights` of a step's result (route53.set_weights, route53.weights, failback.*).
    static func weights(in value: StepValue) -> StepValue? {
        if case .table = value["weights"] { return value["weights"] }
        return nil
    }

    /// `blue 90 / green 10`, sets in name order.
    static func describe(weights: StepValue) -> String {
        guard case .table(let sets) = weights else { return "?" }
        return sets.keys.sorted().map { key -> String in
            switch sets[key]! {
            case .int(let n): "\(key) \(n)"
            case .double(let d): "\(key) \(d)"
            default: "\(key) ?"
            }
        }.joined(separator: " / ")
    }
}
