import FlowAWS
import FlowEngine
import FlowPluginSupport
import Foundation

/// The AWS reads behind the gates and the raw calls; AWS errors come out as `StepFailure`s.
enum AWSReads {
    /// `target_group` is an ARN or a name; returns the group's name (for reasons) and ARN.
    static func targetGroup(_ target: String, client: AWSClient) async throws -> (name: String, arn: String) {
        if target.hasPrefix("arn:") {
            // arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID
            let parts = target.split(separator: "/")
            return (parts.count >= 3 ? String(parts[parts.count - 2]) : target, target)
        }
        let groups = try await awsStep { try await ELBv2(client: client).describeTargetGroups(names: [target]) }
        guard let group = groups.first(where: { $0.name == target }) ?? groups.first else {
            throw StepFailure("TargetGroupNotFound", "no target group named \(target)", retryable: false)
        }
        return (group.name, group.arn)
    }

    static func targetHealth(_ target: String, client: AWSClient) async throws -> (name: String, arn: String, targets: [TargetState]) {
        let group = try await targetGroup(target, client: client)
        let health = try await awsStep { try await ELBv2(client: client).describeTargetHealth(targetGroupArn: group.arn) }
        let targets = health.map {
            TargetState(id: $0.id, port: $0.port, state: $0.state, reason: $0.reason, description: $0.description)
        }
        return (group.name, group.arn, targets)
    }

    static func alarms(_ selection: AlarmSelection, client: AWSClient) async throws -> [AlarmState] {
        let cw = CloudWatch(client: client)
        let found = try await awsStep {
            switch selection {
            case .names(let names): try await cw.describeAlarms(names: names)
            case .prefix(let prefix): try await cw.describeAlarms(prefix: prefix)
            }
        }
        return found.map { AlarmState(name: $0.name, state: $0.state, reason: $0.stateReason) }
            .sorted { $0.name < $1.name }
    }

    /// The metric's datapoints over the last `window` seconds, oldest first.
    static func datapoints(_ q: MetricSpec, client: AWSClient) async throws -> [MetricDatapoint] {
        let query = CloudWatch.MetricQuery(
            id: "m", namespace: q.namespace, metricName: q.metric,
            dimensions: q.dimensions.sorted { $0.key < $1.key }.map { CloudWatch.Dimension(name: $0.key, value: $0.value) },
            period: q.period, stat: q.stat)
        let end = Date()
        let results = try await awsStep {
            try await CloudWatch(client: client).getMetricData([query], start: end.addingTimeInterval(-Double(q.window)), end: end)
        }
        guard let result = results.first(where: { $0.id == "m" }) else { return [] }
        if let code = result.statusCode, code == "InternalError" || code == "Forbidden" {
            throw StepFailure("MetricDataError", "GetMetricData for \(q.metric) answered \(code)", retryable: code == "InternalError")
        }
        return zip(result.timestamps, result.values)
            .map { MetricDatapoint(timestamp: $0.timeIntervalSince1970, value: $1) }
            .sorted { $0.timestamp < $1.timestamp }
    }
}

/// The metric a `metric` gate or `metric_data` call reads.
struct MetricSpec: Sendable {
    var namespace: String
    var metric: String
    var dimensions: [String: String]
    var stat: String
    var period: Int
    var window: Int

    /// CloudWatch takes periods of 1, 5, 10 or 30 s (high resolution) or multiples of 60.
    static func validate(period: Int, window: Int) throws {
        guard [1, 5, 10, 30].contains(period) || (period > 0 && period % 60 == 0) else {
            throw StepArgumentError(path: ["period"], problem: "must be 1, 5, 10, 30 or a multiple of 60 seconds, got \(period)")
        }
        guard window >= period else {
            throw StepArgumentError(path: ["window"], problem: "must be at least one period (\(period) s), got \(window)")
        }
    }
}
