import FlowEngine

/// `health.http`'s verdict over simulated GETs, worded as the health plugin words it.
enum HTTPVerdict {
    /// A status and latency, or the error that stopped the GET.
    struct Sample: Sendable, Equatable {
        var status: Int?
        var latencyMs: Double?
        var error: String?
    }

    /// Nearest rank: always one of the measured values.
    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count) - 1e-9).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func evaluate(_ samples: [Sample], url: String, expect: [Int], minSuccess: SimThreshold,
                         maxLatencyMs: Double?, percentile p: Double) -> GateResult {
        let success = samples.filter { $0.status.map(expect.contains) ?? false }.count
        let latencies = samples.compactMap(\.latencyMs)
        let p50 = percentile(latencies, 50), pNN = percentile(latencies, p)
        var statuses: [String: StepValue] = [:]
        for s in samples {
            let key = s.status.map(String.init) ?? "error"
            statuses[key] = .int((statuses[key]?.int ?? 0) + 1)
        }
        let pName = "p\(formatNumber(p))"
        let value = StepValue.record([
            "samples": .int(samples.count), "success": .int(success),
            "p50_ms": p50.map { .rounded($0) }, pName + "_ms": pNN.map { .rounded($0) }, "statuses": .table(statuses),
        ])
        let need = minSuccess.required(of: samples.count)
        let head = "\(success) of \(samples.count) GET \(url) returned \(expect.map(String.init).joined(separator: " or ")) (need \(minSuccess))"
        if success < need { return GateResult(.fail, head + ": " + breakdown(samples, expect: expect), value: value) }
        guard let pNN else {
            if maxLatencyMs != nil {
                return GateResult(.inconclusive, head + "; no responses to measure \(pName) latency", value: value)
            }
            return GateResult(.pass, head, value: value)
        }
        let latency = "\(pName) latency \(formatNumber((pNN * 10).rounded() / 10)) ms"
        guard let max = maxLatencyMs else { return GateResult(.pass, head + "; \(latency)", value: value) }
        if pNN > max { return GateResult(.fail, head + "; \(latency), must be <= \(formatNumber(max)) ms", value: value) }
        return GateResult(.pass, head + "; \(latency) (max \(formatNumber(max)) ms)", value: value)
    }

    /// `2 × 500, 1 × connection refused`.
    static func breakdown(_ samples: [Sample], expect: [Int]) -> String {
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
