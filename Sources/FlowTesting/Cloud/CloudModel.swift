import FlowEngine

/// One weighted record (every set of one name and type in one hosted zone).
struct SimRecord: Sendable, Equatable {
    /// Normalized: lower case, trailing dot.
    var zoneName: String
    var zoneID: String
    var name: String
    /// "A" and "AAAA" sets are aliases to an ALB; "CNAME" sets have a value and TTL 60.
    var type: String
    var weights: [String: Int]
}

struct SimTarget: Sendable, Equatable {
    var id: String
    var port = 80
    var state: String
}

struct SimTargetGroup: Sendable, Equatable {
    var name: String
    var arn: String
    /// Numbers the group's target addresses (10.N.0.10, 10.N.0.11, ...).
    var number: Int
    var targets: [SimTarget]
}

struct SimAlarm: Sendable, Equatable {
    var state: String
    var reason: String?
}

/// An ECS service and, implied by its counts, its tasks.
struct SimService: Sendable, Equatable {
    var cluster: String
    var name: String
    var desired: Int
    var running: Int
    /// Tasks on their way up (lastStatus PENDING, desired RUNNING).
    var pending = 0
    /// Tasks of the current task definition that stopped since its deployment began (a crash loop).
    var stopped = 0
    var stoppedReason = "Essential container in task exited"
    /// As the scenario wrote it: `app:2` (or an ARN).
    var taskDefinition: String
    /// The tasks' one container; nil: the task definition's family.
    var container: String?
    var status = "ACTIVE"
    /// nil: COMPLETED when running == desired, else IN_PROGRESS.
    var rolloutState: String?
    var rolloutStateReason: String?

    var effectiveRolloutState: String { rolloutState ?? (running == desired ? "COMPLETED" : "IN_PROGRESS") }
    var containerName: String { container ?? CloudNames.family(taskDefinition) }
}

/// A CloudWatch metric: the datapoints any query for it gets.
struct SimMetric: Sendable, Equatable {
    var namespace: String
    var metric: String
    var dimensions: [String: String]
    /// Matches only queries for this statistic; nil: any.
    var stat: String?
    /// One datapoint of `value` per period of the window...
    var value: Double?
    /// ...or exactly these datapoints, the newest last, in the window's latest periods.
    var values: [Double]?

    func matches(namespace: String, metric: String, dimensions: [String: String], stat: String) -> Bool {
        self.namespace == namespace && self.metric == metric && self.dimensions == dimensions && (self.stat ?? stat) == stat
    }

    var key: String {
        namespace + "|" + metric + "|" + dimensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            + "|" + (stat ?? "")
    }
}

struct SimEndpoint: Sendable, Equatable {
    var status = 200
    var latencyMs = 10.0
    var body = ""
}

struct SimCall: Sendable {
    var at: Millis
    var name: String
    var args: StepValue
    var error: String?
}

struct SimNotification: Sendable {
    var at: Millis
    var args: StepValue
}
