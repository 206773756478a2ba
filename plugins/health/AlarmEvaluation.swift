import FlowEngine

/// One CloudWatch alarm as the gate sees it.
public struct AlarmState: Sendable, Equatable {
    public var name: String
    /// OK, ALARM or INSUFFICIENT_DATA.
    public var state: String
    public var reason: String?

    public init(name: String, state: String, reason: String? = nil) {
        self.name = name
        self.state = state
        self.reason = reason
    }

    /// `{name, state, reason}`: how `health.alarm_states` reports it.
    public var luaValue: StepValue { .record(["name": .string(name), "state": .string(state), "reason": .string(reason)]) }
}

/// What an alarm in INSUFFICIENT_DATA means for the rollout. A new release's alarms often have
/// no data for their first periods, so by default the gate waits rather than decides.
public enum InsufficientDataPolicy: String, Sendable, Decodable, CaseIterable {
    case inconclusive, fail, pass
}

/// Which alarms the gate was asked about, for the reasons it gives.
public enum AlarmSelection: Sendable, Equatable {
    case names([String])
    case prefix(String)
}

/// The `health.alarms` verdict, without the network.
public enum AlarmEvaluation {
    public static func evaluate(_ alarms: [AlarmState], selection: AlarmSelection,
                                insufficientData: InsufficientDataPolicy) -> GateResult {
        let value = StepValue.record(["alarms": .list(alarms.map(\.luaValue))])
        // A typo in an alarm name must not pass as "no alarm is firing".
        switch selection {
        case .names(let names):
            let found = Set(alarms.map(\.name))
            let missing = names.filter { !found.contains($0) }
            if !missing.isEmpty {
                return GateResult(.fail, "no alarms named " + missing.joined(separator: ", "), value: value)
            }
        case .prefix(let prefix):
            if alarms.isEmpty {
                return GateResult(.fail, "no alarms named \(prefix)*", value: value)
            }
        }
        let firing = alarms.filter { $0.state == "ALARM" }
        if !firing.isEmpty {
            return GateResult(.fail, "\(firing.count) of \(alarms.count) alarms in ALARM: " + describe(firing), value: value)
        }
        let noData = alarms.filter { $0.state == "INSUFFICIENT_DATA" }
        let unknown = alarms.filter { !["OK", "ALARM", "INSUFFICIENT_DATA"].contains($0.state) }
        if !unknown.isEmpty {
            return GateResult(.inconclusive, "alarms in an unknown state: " + describe(unknown), value: value)
        }
        if !noData.isEmpty {
            let text = "\(noData.count) of \(alarms.count) alarms have INSUFFICIENT_DATA: " + describe(noData)
            switch insufficientData {
            case .inconclusive: return GateResult(.inconclusive, text, value: value)
            case .fail: return GateResult(.fail, text + " (insufficient_data = \"fail\")", value: value)
            case .pass: return GateResult(.pass, "no alarm in ALARM; " + text + " (insufficient_data = \"pass\")", value: value)
            }
        }
        return GateResult(.pass, alarms.count == 1 ? "\(alarms[0].name) is OK" : "all \(alarms.count) alarms OK", value: value)
    }

    static func describe(_ alarms: [AlarmState]) -> String {
        let shown = alarms.prefix(5).map { a in a.name + (a.reason.map { " (\($0))" } ?? "") }.joined(separator: ", ")
        return alarms.count > 5 ? shown + " and \(alarms.count - 5) more" : shown
    }
}
