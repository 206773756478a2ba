import FlowEngine

/// `health.metric`'s verdict over simulated datapoints, worded as the health plugin words it.
enum MetricVerdict {
    struct Datapoint: Sendable, Equatable {
        var timestamp: Double
        var value: Double
    }

    /// The comparison a validated `comparison` names: whether `value OP threshold` holds.
    static func holds(_ comparison: String, _ value: Double, _ threshold: Double) -> Bool {
        switch comparison {
        case "<": value < threshold
        case "<=": value <= threshold
        case ">": value > threshold
        default: value >= threshold
        }
    }

    static func aggregate(_ values: [Double], stat: String, comparison: String) -> Double? {
        if stat == "Sum" || stat == "SampleCount" { return values.reduce(0, +) }
        guard !values.isEmpty else { return nil }
        switch stat {
        case "Average": return values.reduce(0, +) / Double(values.count)
        case "Maximum": return values.max()
        case "Minimum": return values.min()
        default: return comparison.hasPrefix("<") ? values.max() : values.min()
        }
    }

    static func evaluate(metric: String, stat: String, window: Int, threshold: Double, comparison: String,
                         minSamples: Int, datapoints: [Datapoint]) -> GateResult {
        let aggregated = aggregate(datapoints.map(\.value), stat: stat, comparison: comparison)
        let value = StepValue.record([
            "value": aggregated.map { .double($0) }, "samples": .int(datapoints.count),
            "datapoints": .list(datapoints.map { .record(["timestamp": .double($0.timestamp), "value": .double($0.value)]) }),
        ])
        let what = "\(metric) \(stat)"
        guard datapoints.count >= minSamples else {
            return GateResult(.inconclusive, "only \(datapoints.count) datapoints of \(what) in the last \(window) s (need \(minSamples))",
                              value: value)
        }
        guard let aggregated, aggregated.isFinite else {
            return GateResult(.inconclusive, "no datapoints of \(what) in the last \(window) s to compare", value: value)
        }
        let text = "\(what) = \(formatNumber(aggregated)) over \(window) s"
        let rule = "must be \(comparison) \(formatNumber(threshold))"
        return holds(comparison, aggregated, threshold)
            ? GateResult(.pass, "\(text) (\(rule))", value: value)
            : GateResult(.fail, "\(text), \(rule)", value: value)
    }
}
