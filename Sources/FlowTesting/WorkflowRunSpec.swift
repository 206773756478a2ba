/// The second argument of `t.run(WORKFLOW, {...})`, decoded with every unknown key refused.
struct WorkflowRunSpec: Decodable {
    /// As `--param` / `--params` would give them.
    var params: StepValue?
    /// A simulated cloud's scenario (see SimulatedCloud).
    var cloud: StepValue?
    /// Step name ("route53.set_weights", "flow.exec", "gate error_rate") -> its scripted answers.
    var mocks: [String: MockPlan]?
    /// Signals sent at virtual times (`flow signal`).
    var signals: [ScheduledSignal]?
    /// Operator commands at virtual times (`flow pause|unpause|promote|abort|cancel`).
    var `operator`: [ScheduledCommand]?
    /// The virtual wall-clock time the run starts at, Unix seconds (default 2026-01-01T00:00Z).
    var start: Double?
    /// How far virtual time may run, seconds after the start (default 30 days).
    var horizon: Double?
    /// "mock" (default: flow.exec must be mocked) or "real" (run the processes).
    var exec: String?
    /// More folders to find Lua gates in.
    var gates: [String]?
    /// The execution id (default: test-N).
    var id: String?
    /// Seeds retry jitter and `flow.random` (default 1): the same seed, the same times.
    var seed: UInt64?

    struct ScheduledSignal: Decodable {
        var at: Double
        var name: String
        var data: StepValue?
    }

    struct ScheduledCommand: Decodable {
        var at: Double
        var action: String
        var reason: String?
        var force: Bool?
        var by: String?
    }

    static let defaultStart: Double = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let defaultHorizon: Double = 30 * 86_400

    /// The inbox message an operator command posts, as the CLI posts it.
    static func message(for command: ScheduledCommand, at now: Millis) throws -> InboxMessage {
        let by = command.by ?? "flow test"
        switch command.action {
        case "pause": return InboxMessage(kind: .pause, from: by, reason: command.reason, at: now)
        case "unpause": return InboxMessage(kind: .unpause, from: by, reason: command.reason, at: now)
        case "promote", "promote_full":
            return InboxMessage(kind: .promote, name: command.action, data: .table(["force": .bool(command.force ?? false)]),
                                from: by, reason: command.reason, at: now)
        case "abort": return InboxMessage(kind: .abort, from: by, reason: command.reason, at: now)
        case "cancel": return InboxMessage(kind: .cancel, from: by, reason: command.reason, at: now)
        default:
            throw TestSetupError("operator: unknown action '\(command.action)' (expected pause, unpause, promote, promote_full, abort or cancel)")
        }
    }
}

/// A mistake in a test's own set-up, reported at the test file's line.
public struct TestSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
