import FlowEngine

/// Several gates' verdicts as one, for `health.all`: any fail fails, else any inconclusive is
/// inconclusive, else it passes. The reason names the checks that decided it.
public enum GateCombination {
    public static func combine(_ parts: [(name: String, result: GateResult)]) -> GateResult {
        var value: [String: StepValue] = [:]
        for (name, r) in parts {
            value[name] = .record(["status": .string(r.status.rawValue), "reason": .string(r.reason), "value": r.value])
        }
        let status: GateStatus = parts.contains { $0.result.status == .fail } ? .fail
            : parts.contains { $0.result.status == .inconclusive } ? .inconclusive : .pass
        let deciding = status == .pass ? parts : parts.filter { $0.result.status == status }
        let reason = deciding.map { "\($0.name): \($0.result.reason)" }.joined(separator: "; ")
        return GateResult(status, reason, value: .table(value))
    }
}
