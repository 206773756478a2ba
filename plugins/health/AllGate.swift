import FlowEngine
import FlowPluginSupport

/// `health.all{ targets = {...}, alarms = {...}, metric = {...}, http = {...}, region }`: the
/// gates given, measured once each, as one verdict. Each table takes its gate's arguments; a
/// `region` outside applies to those without their own.
struct AllInput: Decodable, Sendable {
    var targets: TargetsInput?
    var alarms: AlarmsInput?
    var metric: MetricInput?
    var http: HTTPInput?
    var region: String?
}

enum AllGate {
    static func validate(_ input: AllInput) throws {
        guard input.targets != nil || input.alarms != nil || input.metric != nil || input.http != nil else {
            throw StepArgumentError(path: [], problem: "at least one of targets, alarms, metric, http is required")
        }
        try under("targets") { try input.targets.map { try TargetsGate.validate($0.target_group) } }
        try under("alarms") { try input.alarms.map(AlarmsGate.validate) }
        try under("metric") { try input.metric.map(MetricGate.validate) }
        try under("http") { try input.http.map(HTTPGate.validate) }
    }

    /// A nested table's argument error, named from the outer table (`targets.target_group`).
    static func under(_ key: String, _ body: () throws -> Void?) throws {
        do {
            _ = try body()
        } catch let e as StepArgumentError {
            throw StepArgumentError(path: [key] + e.path, problem: e.problem)
        }
    }

    static func gate(_ aws: AWSStepEnvironment) -> StepFunction {
        .gate("all", summary: "Several health gates measured once each: any fail fails, any inconclusive waits.",
              input: AllInput.self, validate: validate) { input, context in
            var parts: [(name: String, result: GateResult)] = []
            if var t = input.targets {
                t.region = t.region ?? input.region
                parts.append(("targets", try await TargetsGate.measure(t, aws, context)))
            }
            if var a = input.alarms {
                a.region = a.region ?? input.region
                parts.append(("alarms", try await AlarmsGate.measure(a, aws, context)))
            }
            if var m = input.metric {
                m.region = m.region ?? input.region
                parts.append(("metric", try await MetricGate.measure(m, aws, context)))
            }
            if let h = input.http {
                parts.append(("http", try await HTTPGate.measure(h, aws)))
            }
            return GateCombination.combine(parts)
        }
    }
}
