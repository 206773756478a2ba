import FlowEngine

/// How many of something must be good: `"80%"` of them, or an absolute count (`3`).
/// Used by `min_healthy` (targets) and `min_success` (http samples).
public enum Threshold: Sendable, Equatable, Decodable, CustomStringConvertible {
    case percent(Double)
    case count(Int)

    public init(from decoder: any Decoder) throws {
        let path = decoder.codingPath.map(\.stringValue)
        let raw = try decoder.singleValueContainer().decode(StepValue.self)
        switch raw {
        case .int(let n) where n >= 0:
            self = .count(Int(n))
        case .string(let s) where s.hasSuffix("%"):
            guard let p = Double(s.dropLast()), p >= 0, p <= 100 else {
                throw StepArgumentError(path: path, problem: "percentage must be between 0% and 100%, got '\(s)'")
            }
            self = .percent(p)
        default:
            throw StepArgumentError(path: path, problem: "expected a percentage like \"80%\" or a count >= 0, got \(Self.show(raw))")
        }
    }

    /// The smallest number out of `total` that meets the threshold.
    public func required(of total: Int) -> Int {
        switch self {
        case .count(let n):
            return n
        case .percent(let p):
            // The epsilon keeps 100% of 3 at 3 when the product comes out as 3.0000000000000004.
            return max(0, Int((p * Double(total) / 100 - 1e-9).rounded(.up)))
        }
    }

    public var description: String {
        switch self {
        case .count(let n): "\(n)"
        case .percent(let p): p == p.rounded() ? "\(Int(p))%" : "\(p)%"
        }
    }

    static func show(_ value: StepValue) -> String {
        switch value {
        case .string(let s): "'\(s)'"
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        default: value.typeName
        }
    }
}
