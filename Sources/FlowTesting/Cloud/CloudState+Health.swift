import FlowEngine
import FlowHealth

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

    /// The alarms selected, by name, as DescribeAlarms reports them (FlowHealth's input).
    func alarms(_ selection: AlarmSelection) -> [AlarmState] {
        let names: [String] = switch selection {
        case .names(let wanted): alarms.keys.filter(wanted.contains)
        case .prefix(let prefix): alarms.keys.filter { $0.hasPrefix(prefix) }
        }
        return names.sorted().compactMap { name in
            alarms[name].map { AlarmState(name: name, state: $0.state, reason: $0.reason ?? "set to \($0.state) by the scenario") }
        }
    }

    /// The datapoints a GetMetricData over the last `window` seconds before `now` answers, oldest
    /// first, one per period ending at the last whole period.
    func datapoints(_ q: MetricQuery, now: Millis) -> [MetricDatapoint] {
        guard let m = metrics.first(where: { $0.matches(namespace: q.namespace, metric: q.metric, dimensions: q.dimensions, stat: q.stat) })
        else { return [] }
        let periods = max(1, q.window / q.period)
        let values = m.values.map { Array($0.suffix(periods)) } ?? Array(repeating: m.value ?? 0, count: periods)
        let end = (now / 1000) / Millis(q.period) * Millis(q.period)
        return values.enumerated().map { i, v in
            MetricDatapoint(timestamp: Double(end - Millis((values.count - i) * q.period)), value: v)
        }
    }
}

extension SimTarget {
    /// As DescribeTargetHealth reports the target (FlowHealth's input), with AWS's usual reason
    /// and description for its state.
    var reported: TargetState {
        let why: (reason: String, description: String)? = switch state {
        case "unhealthy": ("Target.FailedHealthChecks", "Health checks failed")
        case "unhealthy.draining", "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress")
        case "initial": ("Elb.RegistrationInProgress", "Target registration is in progress")
        case "unused": ("Target.NotInUse", "Target group is not configured to receive traffic from the load balancer")
        case "unavailable": ("Target.HealthCheckDisabled", "Health checks are disabled for the target group")
        default: nil
        }
        return TargetState(id: id, port: port, state: state, reason: why?.reason, description: why?.description)
    }
}

extension AlarmSelection {
    /// From a validated `{names = ...}` or `{prefix = ...}` (the real function takes exactly one).
    init(_ args: StepValue) {
        if let prefix = args["prefix"].stringValue { self = .prefix(prefix) } else { self = .names(args["names"].strings) }
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
