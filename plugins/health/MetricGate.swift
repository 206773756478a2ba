import FlowEngine
import FlowPluginSupport

/// `health.metric{ namespace, metric, dimensions, stat, period, window, threshold, comparison, min_samples }`:
/// passes when `aggregate(datapoints) COMPARISON threshold` holds.
struct MetricInput: Decodable, Sendable {
    var namespace: String
    var metric: String
    var dimensions: [String: String]?
    var stat: String?
    var period: Int?
    var window: Int?
    var threshold: Double
    var comparison: Comparison
    var min_samples: Int?
    var region: String?

    var spec: MetricSpec {
        MetricSpec(namespace: namespace, metric: metric, dimensions: dimensions ?? [:], stat: stat ?? "Sum",
                   period: period ?? 60, window: window ?? 300)
    }
}

/// `health.metric_data{ namespace, metric, dimensions, stat, period, window }`: the raw read, for Lua gates.
struct MetricDataInput: Decodable, Sendable {
    var namespace: String
    var metric: String
    var dimensions: [String: String]?
    var stat: String?
    var period: Int?
    var window: Int?
    var region: String?

    var spec: MetricSpec {
        MetricSpec(namespace: namespace, metric: metric, dimensions: dimensions ?? [:], stat: stat ?? "Sum",
                   period: period ?? 60, window: window ?? 300)
    }
}

enum MetricGate {
    static func validate(_ spec: MetricSpec) throws {
        guard !spec.namespace.isEmpty else { throw StepArgumentError(path: ["namespace"], problem: "must not be empty") }
        guard !spec.metric.isEmpty else { throw StepArgumentError(path: ["metric"], problem: "must not be empty") }
        guard !spec.stat.isEmpty else { throw StepArgumentError(path: ["stat"], problem: "must not be empty") }
        try MetricSpec.validate(period: spec.period, window: spec.window)
    }

    static func validate(_ input: MetricInput) throws {
        try validate(input.spec)
        guard input.threshold.isFinite else { throw StepArgumentError(path: ["threshold"], problem: "must be a finite number") }
        guard (input.min_samples ?? 1) >= 0 else { throw StepArgumentError(path: ["min_samples"], problem: "must be >= 0") }
    }

    static func measure(_ input: MetricInput, _ aws: AWSStepEnvironment, _ context: StepContext) async throws -> GateResult {
        let spec = input.spec
        let client = try aws.client(region: input.region, context: context)
        let points = try await AWSReads.datapoints(spec, client: client)
        return MetricEvaluation.evaluate(metric: spec.metric, stat: spec.stat, window: spec.window, threshold: input.threshold,
                                         comparison: input.comparison, minSamples: input.min_samples ?? 1, datapoints: points)
    }

    static func gate(_ aws: AWSStepEnvironment) -> StepFunction {
        .gate("metric", summary: "A CloudWatch metric over a window, compared with a threshold (the healthy condition).",
              input: MetricInput.self, validate: validate) { input, context in
            try await measure(input, aws, context)
        }
    }

    static func raw(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("metric_data", summary: "A CloudWatch metric's datapoints over the last `window` seconds, oldest first.",
              idempotent: true, readOnly: true, input: MetricDataInput.self,
              validate: { try validate($0.spec) }) { input, context -> StepValue in
            let client = try aws.client(region: input.region, context: context)
            let points = try await AWSReads.datapoints(input.spec, client: client)
            return .record(["values": .list(points.map { .double($0.value) }),
                            "timestamps": .list(points.map { .double($0.timestamp) })])
        }
    }
}
