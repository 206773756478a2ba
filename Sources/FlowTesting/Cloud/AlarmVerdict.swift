import FlowEngine

/// `health.alarms`' verdict over simulated alarms, worded as the health plugin words it.
enum AlarmVerdict {
    struct Alarm: Sendable, Equatable {
        var name: String
        var state: String
        var reason: String?

        var value: StepValue { .record(["name": .string(name), "state": .string(state), "reason": .string(reason)]) }
    }

    enum Selection: Sendable, Equatable {
        case names([String])
        case prefix(String)

        /// From a validated `{names = ...}` or `{prefix = ...}`.
        init(_ args: StepValue) {
            if let prefix = args["prefix"].stringValue { self = .prefix(prefix) } else { self = .names(args["names"].strings) }
        }
    }

    static func evaluate(_ alarms: [Alarm], selection: Selection, insufficientData: String) -> GateResult {
        let value = StepValue.record(["alarms": .list(alarms.map(\.value))])
        switch selection {
        case .names(let names):
            let found = Set(alarms.map(\.name))
            let missing = names.filter { !found.contains($0) }
            if !missing.isEmpty { return GateResult(.fail, "no alarms named " + missing.joined(separator: ", "), value: value) }
        case .prefix(let prefix):
            if alarms.isEmpty { return GateResult(.fail, "no alarms named \(prefix)*", value: value) }
        }
        let firing = alarms.filter { $0.state == "ALARM" }
        if !firing.isEmpty {
            return GateResult(.fail, "\(firing.count) of \(alarms.count) alarms in ALARM: " + describe(firing), value: value)
        }
        let noData = alarms.filter { $0.state == "INSUFFICIENT_DATA" }
        if !noData.isEmpty {
            let text = "\(noData.count) of \(alarms.count) alarms have INSUFFICIENT_DATA: " + describe(noData)
            switch insufficientData {
            case "fail": return GateResult(.fail, text + " (insufficient_data = \"fail\")", value: value)
            case "pass": return GateResult(.pass, "no alarm in ALARM; " + text + " (insufficient_data = \"pass\")", value: value)
            default: return GateResult(.inconclusive, text, value: value)
            }
        }
        return GateResult(.pass, alarms.count == 1 ? "\(alarms[0].name) is OK" : "all \(alarms.count) alarms OK", value: value)
    }

    static func describe(_ alarms: [Alarm]) -> String {
        let shown = alarms.prefix(5).map { a in a.name + (a.reason.map { " (\($0))" } ?? "") }.joined(separator: ", ")
        return alarms.count > 5 ? shown + " and \(alarms.count - 5) more" : shown
    }
}
