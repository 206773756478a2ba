import Foundation

/// CloudWatch over Query: alarm states gate a rollout; metric data feeds custom checks.
public struct CloudWatch: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    public struct Dimension: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    public struct Alarm: Sendable, Equatable {
        public var name: String
        public var arn: String?
        /// OK, ALARM or INSUFFICIENT_DATA.
        public var state: String
        public var stateReason: String?
        public var metricName: String?
        public var namespace: String?
    }

    public struct MetricQuery: Sendable {
        public var id: String
        public var namespace: String
        public var metricName: String
        public var dimensions: [Dimension]
        public var period: Int
        public var stat: String
        public init(id: String, namespace: String, metricName: String, dimensions: [Dimension] = [], period: Int = 60, stat: String = "Sum") {
            self.id = id; self.namespace = namespace; self.metricName = metricName
            self.dimensions = dimensions; self.period = period; self.stat = stat
        }
    }

    public struct MetricResult: Sendable, Equatable {
        public var id: String
        public var label: String?
        public var timestamps: [Date]
        public var values: [Double]
        public var statusCode: String?
    }

    static func dimensions(_ p: inout QueryParams, _ prefix: String, _ dims: [Dimension]) {
        p.structs("\(prefix)Dimensions", dims) { p, key, d in
            p.set("\(key).Name", d.name)
            p.set("\(key).Value", d.value)
        }
    }

    /// Metric alarms by name or prefix, following NextToken.
    public func describeAlarms(names: [String]? = nil, prefix: String? = nil, state: String? = nil) async throws -> [Alarm] {
        var alarms: [Alarm] = []
        var token: String?
        for _ in 0..<100_000 {
            var p = QueryParams()
            p.list("AlarmNames", names)
            p.set("AlarmNamePrefix", prefix)
            p.set("StateValue", state)
            p.set("NextToken", token)
            let result = try await client.query(.cloudwatch, "DescribeAlarms", p)
            alarms += result.members("MetricAlarms").map { a in
                Alarm(name: a.text("AlarmName") ?? "", arn: a.text("AlarmArn"), state: a.text("StateValue") ?? "",
                      stateReason: a.text("StateReason"), metricName: a.text("MetricName"), namespace: a.text("Namespace"))
            }
            guard let next = result.text("NextToken"), !next.isEmpty, next != token else { break }
            token = next
        }
        return alarms
    }

    /// Plain metric stats (moto has no metric math or percentiles); follows NextToken.
    public func getMetricData(_ queries: [MetricQuery], start: Date, end: Date) async throws -> [MetricResult] {
        var byID: [String: MetricResult] = [:]
        var order: [String] = []
        var token: String?
        for _ in 0..<100_000 {
            var p = QueryParams()
            p.structs("MetricDataQueries", queries) { p, key, q in
                p.set("\(key).Id", q.id)
                p.set("\(key).MetricStat.Metric.Namespace", q.namespace)
                p.set("\(key).MetricStat.Metric.MetricName", q.metricName)
                Self.dimensions(&p, "\(key).MetricStat.Metric.", q.dimensions)
                p.set("\(key).MetricStat.Period", q.period)
                p.set("\(key).MetricStat.Stat", q.stat)
            }
            p.set("StartTime", Self.iso8601(start))
            p.set("EndTime", Self.iso8601(end))
            p.set("NextToken", token)
            let result = try await client.query(.cloudwatch, "GetMetricData", p)
            for r in result.members("MetricDataResults") {
                let id = r.text("Id") ?? ""
                let times = r.members("Timestamps").compactMap { Self.parseDate($0.text("") ?? "") }
                let values = r.members("Values").compactMap { Double($0.text("") ?? "") }
                if byID[id] == nil {
                    order.append(id)
                    byID[id] = MetricResult(id: id, label: r.text("Label"), timestamps: [], values: [], statusCode: r.text("StatusCode"))
                }
                byID[id]?.timestamps += times
                byID[id]?.values += values
            }
            guard let next = result.text("NextToken"), !next.isEmpty, next != token else { break }
            token = next
        }
        return order.compactMap { byID[$0] }
    }

    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static func parseDate(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }
}
