import FlowEngine

/// Target groups, alarms and metrics as the health plugin reads them (AWSReads).
extension CloudState {
    /// `target_group` is a name or an ARN; the group and the ARN to report (the one given, if any).
    func targetGroup(_ target: String) throws -> (group: SimTargetGroup, arn: String) {
        if target.hasPrefix("arn:") {
            guard let name = CloudNames.targetGroupName(fromARN: target), let group = targetGroups[name] else {
                throw StepFailure("TargetGroupNotFound",
                                  "Elastic Load Balancing v2 DescribeTargetHealth failed: Target groups '\(target)' not found (HTTP 400)",
                                  retryable: false)
            }
            return (group, target)
        }
        guard let group = targetGroups[target] else {
            throw StepFailure("TargetGroupNotFound",
                              "Elastic Load Balancing v2 DescribeTargetGroups failed: One or more target groups not found (HTTP 400)",
                              retryable: false)
        }
        return (group, group.arn)
    }

    func alarms(_ selection: AlarmVerdict.Selection) -> [AlarmVerdict.Alarm] {
        let names: [String] = switch selection {
        case .names(let wanted): alarms.keys.filter(wanted.contains)
        case .prefix(let prefix): alarms.keys.filter { $0.hasPrefix(prefix) }
        }
        return names.sorted().compactMap { name in
            alarms[name].map { AlarmVerdict.Alarm(name: name, state: $0.state, reason: $0.reason ?? "set to \($0.state) by the scenario") }
        }
    }

    /// The datapoints a GetMetricData over the last `window` seconds before `now` answers, oldest
    /// first, one per period ending at the last whole period.
    func datapoints(_ q: MetricQuery, now: Millis) -> [MetricVerdict.Datapoint] {
        guard let m = metrics.first(where: { $0.matches(namespace: q.namespace, metric: q.metric, dimensions: q.dimensions, stat: q.stat) })
        else { return [] }
        let periods = max(1, q.window / q.period)
        let values = m.values.map { Array($0.suffix(periods)) } ?? Array(repeating: m.value ?? 0, count: periods)
        let end = (now / 1000) / Millis(q.period) * Millis(q.period)
        return values.enumerated().map { i, v in
            MetricVerdict.Datapoint(timestamp: Double(end - Millis((values.count - i) * q.period)), value: v)
        }
    }
}

/// A metric as `health.metric` and `health.metric_data` ask for it, with the plugin's defaults.
struct MetricQuery: Sendable {
    var namespace: String
    var metric: String
    var dimensions: [String: String]
    var stat: String
    var period: Int
    var window: Int

    init(_ args: StepValue) {
        namespace = args["namespace"].stringValue ?? ""
        metric = args["metric"].stringValue ?? ""
        dimensions = args["dimensions"].stringMap
        stat = args["stat"].stringValue ?? "Sum"
        period = max(1, args["period"].int ?? 60)
        window = args["window"].int ?? 300
    }
}
