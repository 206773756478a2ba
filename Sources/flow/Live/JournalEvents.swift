import FlowEngine
import FlowLua

/// Journal entries as the events the runner would have emitted, each with the time it was
/// journaled: so the view of an execution run by another process is drawn from the same
/// events as the live one. Keeps the little it needs between entries (each step's intent).
struct JournalEvents: Sendable {
    struct Timed: Sendable {
        var event: ExecutionEvent
        var at: Millis
    }

    private struct Intent: Sendable {
        var kind: StepKind
        var name: String
        var at: Millis
    }

    private var intents: [Int: Intent] = [:]
    private var id = ""
    private var workflow = ""

    mutating func events(_ entry: JournalEntry) -> [Timed] {
        switch entry {
        case .started(let s):
            id = s.id
            workflow = s.workflow
            return [Timed(event: .started(id: s.id, workflow: s.workflow, resumed: false), at: s.at)]
        case .resumed(let r):
            return [Timed(event: .started(id: id, workflow: workflow, resumed: true), at: r.at)]
        case .intent(let i):
            // flow.now and flow.random are instant and say nothing to a person watching.
            if i.kind == .now || i.kind == .random { return [] }
            intents[i.seq] = Intent(kind: i.kind, name: i.name, at: i.at)
            if i.kind == .sleep || i.kind == .signal {
                return [Timed(event: .waiting(seq: i.seq, kind: i.kind, name: i.name, untilMillis: i.deadline), at: i.at)]
            }
            return [Timed(event: .stepStarted(seq: i.seq, kind: i.kind, name: i.name, attempt: i.attempt, args: i.args), at: i.at)]
        case .completed(let c):
            guard let intent = intents[c.seq] else { return [] }
            let ms = max(0, c.at - intent.at)
            if intent.kind == .native, let verdict = Self.verdict(c.value) {
                return [Timed(event: .gateFinished(seq: c.seq, name: intent.name, status: verdict.status,
                                                   measurements: verdict.measurements, millis: ms, value: c.value), at: c.at)]
            }
            return [Timed(event: .stepSucceeded(seq: c.seq, kind: intent.kind, name: intent.name, attempt: c.attempt,
                                                millis: ms, value: c.value), at: c.at)]
        case .failed(let f):
            guard let intent = intents[f.seq] else { return [] }
            return [Timed(event: .stepFailed(seq: f.seq, kind: intent.kind, name: intent.name, attempt: f.attempt, error: f.error,
                                             retryInMillis: f.retryAt.map { max(0, $0 - f.at) }), at: f.at)]
        case .compensating(let c):
            return [Timed(event: .compensating(c.reason, c.error), at: c.at)]
        case .operatorAction(let a):
            return [Timed(event: .operatorAction(action: a.action.rawValue, by: a.by, reason: a.reason), at: a.at)]
        case .redriven(let r):
            return [Timed(event: .operatorAction(action: "retry", by: r.by, reason: r.reason), at: r.at)]
        case .stepCheckpoint:
            // Progress inside a step already shown as running: nothing to draw.
            return []
        case .finished(let f):
            let outcome: RunOutcome = switch f.status {
            case .succeeded: .succeeded(f.value)
            case .failed: .failed(f.error ?? StepError(name: "Error", message: "failed"))
            case .cancelled: .cancelled(f.error ?? StepError(name: "Cancelled", message: "cancelled"))
            case .aborted: .aborted(f.error ?? StepError(name: "Aborted", message: "aborted"))
            }
            return [Timed(event: .finished(outcome), at: f.at)]
        }
    }

    /// A gate step's journaled result: `{status = "pass" | "fail" | "inconclusive", measurements = n, ...}`.
    static func verdict(_ value: LuaValue) -> (status: String, measurements: Int)? {
        guard let status = value["status"].stringValue, ["pass", "fail", "inconclusive"].contains(status),
              case .int(let n) = value["measurements"] else { return nil }
        return (status, Int(n))
    }
}
