import FlowEngine
import FlowLua

/// What the live view knows about one execution. Pure: fed event by event, each with its time,
/// by the runner in this process (`apply(_:at:)`) or by another process's journal, turned into
/// the same events (`JournalEvents`); `RolloutFrame` draws it.
struct RolloutModel: Sendable {
    struct Step: Sendable, Equatable {
        var seq: Int
        var kind: StepKind
        var name: String
        var attempt: Int
        var since: Millis
        var measurements = 0
    }

    /// A sleep, a signal wait or a retry's backoff, and when it ends (nil: no deadline).
    struct Wait: Sendable, Equatable {
        var seq: Int
        var kind: StepKind
        var name: String
        var until: Millis?
    }

    /// The last failed attempt of a step; `until` is when the next attempt starts (nil: final).
    struct Failure: Sendable, Equatable {
        var seq: Int
        var name: String
        var attempt: Int
        var error: StepError
        var until: Millis?
    }

    /// A gate's last measurement (`final` once its verdict is journaled).
    struct Gate: Sendable, Equatable {
        var seq: Int
        var name: String
        var status: String
        var reason: String
        var count: Int
        var value: LuaValue
        var at: Millis
        var final: Bool
    }

    struct OperatorNote: Sendable, Equatable {
        var action: String
        var by: String
        var reason: String?
        var at: Millis
    }

    struct Compensation: Sendable, Equatable {
        var reason: CompensationReason
        var error: StepError
    }

    /// Whether a process drives the execution (known only when following its journal).
    enum Driver: Sendable, Equatable {
        case unknown
        case process(String)
        case none
    }

    var id: String?
    var workflow: String?
    var resumed = false
    /// When the execution started (from its journal), else when this view first saw it.
    var startedAt: Millis?
    var replayed = 0
    var stepsDone = 0
    var current: Step?
    var wait: Wait?
    var failure: Failure?
    /// The weights as last read back; `target` while a step is setting others.
    var weights: Weights?
    var target: Weights?
    /// Set names in display order: the set serving traffic when first seen (blue) goes first.
    var order: [String] = []
    /// One per gate name, the most recently measured last.
    var gates: [Gate] = []
    /// The last few operator commands taken, newest last.
    var operators: [OperatorNote] = []
    var paused: OperatorNote?
    var compensation: Compensation?
    var outcome: RunOutcome?
    var finishedAt: Millis?
    var driver = Driver.unknown

    static let gatesShown = 3
    static let operatorsKept = 3

    /// Waiting out a failed attempt's backoff before the next.
    var retrying: Bool {
        guard let wait, let failure else { return false }
        return failure.seq == wait.seq && failure.until != nil
    }

    /// Waiting for `flow promote` (an inconclusive gate) counts as paused too.
    var awaitingPromotion: Bool {
        guard let wait, wait.kind == .signal else { return false }
        return wait.name == "promote" || wait.name == "promote_full"
    }

    mutating func noteWeights(_ w: Weights) {
        if order.isEmpty {
            order = w.sets.enumerated().sorted { ($0.element.weight, -$0.offset) > ($1.element.weight, -$1.offset) }
                .map(\.element.name)
        }
        for s in w.sets where !order.contains(s.name) { order.append(s.name) }
        weights = w.ordered(by: order)
    }

    mutating func noteTarget(_ w: Weights) {
        if order.isEmpty, let weights { noteWeights(weights) }
        target = order.isEmpty ? w : w.ordered(by: order)
    }

    mutating func noteGate(_ gate: Gate) {
        gates.removeAll { $0.name == gate.name }
        gates.append(gate)
        if gates.count > 8 { gates.removeFirst(gates.count - 8) }
    }

    /// What a resumed run's journal knew before this process took over: the weights, gates,
    /// pause and start time that the events of this process do not repeat.
    mutating func seed(from journal: RolloutModel) {
        if let s = journal.startedAt { startedAt = min(startedAt ?? s, s) }
        if weights == nil, let w = journal.weights {
            order = journal.order
            noteWeights(w)
        }
        for g in journal.gates.reversed() where !gates.contains(where: { $0.name == g.name }) { gates.insert(g, at: 0) }
        if operators.isEmpty {
            operators = journal.operators
            paused = journal.paused
        }
        stepsDone = max(stepsDone, journal.stepsDone)
    }
}
