import FlowEngine

/// One GET of the `health.http` gate: a status and how long the whole response took, or the
/// error that stopped it (refused, reset, timed out).
public struct HTTPSample: Sendable, Equatable {
    public var status: Int?
    public var latencyMs: Double?
    public var error: String?

    public init(status: Int, latencyMs: Double) {
        self.status = status
        self.latencyMs = latencyMs
    }

    public init(error: String) {
        self.error = error
    }
}

/// The `health.http` verdict, without the network.
public enum HTTPEvaluation {
    /// Nearest-rank percentile: the smallest value with at least p% of the values at or below
    /// it, so the answer is always one of the measured values (p50 of 1, 2, 3, 4 is 2).
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count) - 1e-9).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// `p99_ms`, `p99.9_ms`.
    public static func percentileKey(_ p: Double) -> String { "p\(MetricEvaluation.format(p))_ms" }

    public static func evaluate(_ samples: [HTTPSample], url: String, expect: [Int], minSuccess: Threshold,
                                maxLatencyMs: Double?, percentile p: Double) -> GateResult {
        let success = samples.filter { $0.status.map(expect.contains) ?? false }.count
        // Only answered requests have a latency; failed connections count against success instead.
        let latencies = samples.compactMap(\.latencyMs)
        let p50 = percentile(latencies, 50), pNN = percentile(latencies, p)
        var statuses: [String: StepValue] = [:]
        for s in samples {
            let key = s.status.map(String.init) ?? "error"
            if case .int(let n) = statuses[key] { statuses[key] = .int(n + 1) } else { statuses[key] = .int(1) }
        }
        let value = StepValue.record([
            "samples": .int(samples.count), "success": .int(success),
            "p50_ms": p50.map { .rounded($0) }, percentileKey(p): pNN.map { .rounded($0) },
            "statuses": .table(statuses),
        ])
        let need = minSuccess.required(of: samples.count)
        let expected = expect.map(String.init).joined(separator: " or ")
        let head = "\(success) of \(samples.count) GET \(url) returned \(expected) (need \(minSuccess))"
        let pName = "p\(MetricEvaluation.format(p))"
        if success < need {
            return GateResult(.fail, head + ": " + breakdown(samples, expect: expect), value: value)
        }
        guard let pNN else {
            if maxLatencyMs != nil {
                return GateResult(.inconclusive, head + "; no responses to measure \(pName) latency", value: value)
            }
            return GateResult(.pass, head, value: value)
        }
        let latency = "\(pName) latency \(MetricEvaluation.format(pNN.roundedTenth)) ms"
        if let max = maxLatencyMs {
            if pNN > max {
                return GateResult(.fail, head + "; \(latency), must be <= \(MetricEvaluation.format(max)) ms", value: value)
            }
            return GateResult(.pass, head + "; \(latency) (max \(MetricEvaluation.format(max)) ms)", value: value)
        }
        return GateResult(.pass, head + "; \(latency)", value: value)
    }

    /// `2 × 500, 1 × connection refused`: what the failed samples got instead.
    static func breakdown(_ samples: [HTTPSample], expect: [Int]) -> String {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for s in samples where !(s.status.map(expect.contains) ?? false) {
            let key = s.status.map(String.init) ?? s.error ?? "no response"
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        return order.map { "\(counts[$0, default: 0]) × \($0)" }.joined(separator: ", ")
    }
}

extension Double {
    var roundedTenth: Double { (self * 10).rounded() / 10 }
}
