import FlowEngine

/// `min_healthy` / `min_success` as the health plugin reads them: `"80%"` or a count.
enum SimThreshold: Sendable, Equatable, CustomStringConvertible {
    case percent(Double)
    case count(Int)

    /// The validated argument, or `fallback` when absent.
    init(_ value: StepValue, default fallback: SimThreshold = .percent(100)) {
        switch value {
        case .int(let n): self = .count(Int(n))
        case .string(let s) where s.hasSuffix("%"): self = Double(s.dropLast()).map { .percent($0) } ?? fallback
        default: self = fallback
        }
    }

    func required(of total: Int) -> Int {
        switch self {
        case .count(let n): n
        case .percent(let p): max(0, Int((p * Double(total) / 100 - 1e-9).rounded(.up)))
        }
    }

    var description: String {
        switch self {
        case .count(let n): "\(n)"
        case .percent(let p): p == p.rounded() ? "\(Int(p))%" : "\(p)%"
        }
    }
}
