import FlowEngine

/// Reading the keyword tables the simulated bodies get (already validated by the real
/// functions' decoders, so absent or odd values just fall back) and building their results.
extension StepValue {
    var int: Int? {
        switch self {
        case .int(let i): Int(exactly: i)
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: Int(d)
        default: nil
        }
    }

    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// `"a"` or `{"a", "b"}`.
    var strings: [String] {
        switch self {
        case .string(let s): [s]
        case .array(let items): items.compactMap(\.stringValue)
        default: []
        }
    }

    var stringMap: [String: String] {
        guard case .table(let t) = self else { return [:] }
        return t.compactMapValues(\.stringValue)
    }

    static func weights(_ w: [String: Int]) -> StepValue { .table(w.mapValues { .int(Int64($0)) }) }

}

extension GateResult {
    /// As the engine journals a gate's verdict: `{status, reason, value}`.
    var stepValue: StepValue {
        .record(["status": .string(status.rawValue), "reason": .string(reason), "value": value])
    }
}

/// 12 rather than 12.0; at most three decimals otherwise (as the health plugin prints numbers).
func formatNumber(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\((d * 1000).rounded() / 1000)"
}
