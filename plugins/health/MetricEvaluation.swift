import FlowEngine

/// `comparison` of `health.metric`: the condition that holds when the metric is healthy.
public enum Comparison: String, Sendable, Decodable, CaseIterable {
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .less: value < threshold
        case .lessOrEqual: value <= threshold
        case .greater: value > threshold
        case .greaterOrEqual: value >= threshold
        }
    }

    /// Healthy when small (error counts, latency) rather than when large (request counts).
    var smallIsHealthy: Bool { self == .less || self == .lessOrEqual }
}

/// One datapoint: when (epoch seconds) and how much.
public struct MetricDatapoint: Sendable, Equatable {
    public var timestamp: Double
    public var value: Double

    public init(timestamp: Double, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}

/// The `health.metric` verdict, without the network.
public enum MetricEvaluation {
    /// Statistics whose periods add up: a window without datapoints is a window of zeros.
    static let additive: Set<String> = ["Sum", "SampleCount"]

    /// Folds the window's per-period values into the one number compared with the threshold.
    /// Sum and SampleCount add up; Average is the mean of the periods' averages (unweighted:
    /// GetMetricData does not say how many samples each period had); Maximum and Minimum keep
    /// the extreme; any other statistic (p99, tm90, ...) keeps the period that is worst for
    /// the comparison, since percentiles of periods cannot be combined exactly.
    public static func aggregate(_ values: [Double], stat: String, comparison: Comparison) -> Double? {
        if additive.contains(stat) { return values.reduce(0, +) }
        guard !values.isEmpty else { return nil }
        switch stat {
        case "Average": return values.reduce(0, +) / Double(values.count)
        case "Maximum": return values.max()
        case "Minimum": return values.min()
        default: return comparison.smallIsHealthy ? values.max() : values.min()
        }
    }

    public static func evaluate(metric: String, stat: String, window: Int, threshold: Double, comparison: Comparison,
                                minSamples: Int, datapoints: [MetricDatapoint]) -> GateResult {
        let aggregated = aggregate(datapoints.map(\.value), stat: stat, comparison: comparison)
        let value = StepValue.record([
            "value": aggregated.map { .double($0) }, "samples": .int(datapoints.count),
            "datapoints": .list(datapoints.map { .record(["timestamp": .double($0.timestamp), "value": .double($0.value)]) }),
        ])
        let what = "\(metric) \(stat)"
        // Too little data is never a pass: a metric that stopped reporting looks just like a quiet one.
        guard datapoints.count >= minSamples else {
            return GateResult(.inconclusive, "only \(datapoints.count) datapoints of \(what) in the last \(window) s (need \(minSamples))",
                              value: value)
        }
        guard let aggregated, aggregated.isFinite else {
            return GateResult(.inconclusive, "no datapoints of \(what) in the last \(window) s to compare", value: value)
        }
        let text = "\(what) = \(format(aggregated)) over \(window) s"
        let rule = "must be \(comparison.rawValue) \(format(threshold))"
        return comparison.holds(aggregated, threshold)
            ? GateResult(.pass, "\(text) (\(rule))", value: value)
            : GateResult(.fail, "\(text), \(rule)", value: value)
    }

    /// 12 rather than 12.0; at most three decimals otherwise.
    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let r = (d * 1000).rounded() / 1000
        return "\(r)"
    }
}
