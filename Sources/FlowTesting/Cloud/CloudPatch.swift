/// The state sections of a scenario, or of one of its timed changes, read and checked: what
/// `CloudState.apply` merges in. Everything a section names is set; anything it leaves out stays.
struct CloudPatch: Sendable {
    struct Record: Sendable {
        var path: [String]
        var zone: String
        var zoneID: String?
        var name: String
        var type: String?
        var weights: [String: Int]
    }

    enum Targets: Sendable {
        /// Every target in this state (two for a new group).
        case all(String)
        case each([String])
    }

    struct Service: Sendable {
        var path: [String]
        var cluster: String
        var name: String
        var desired: Int?
        var running: Int?
        var pending: Int?
        var stopped: Int?
        var stoppedReason: String?
        var taskDefinition: String?
        var container: String?
        var status: String?
        var rolloutState: String?
        var rolloutReason: String?
    }

    var changeSeconds: Double?
    var records: [Record] = []
    var targetGroups: [(name: String, targets: Targets)] = []
    var alarms: [(name: String, alarm: SimAlarm)] = []
    var services: [Service] = []
    var metrics: [SimMetric] = []
    /// nil: the URL stops answering (connection refused).
    var http: [(url: String, endpoint: SimEndpoint?)] = []

    static let sections = ["change_seconds", "records", "target_groups", "alarms", "services", "metrics", "http"]
    static let targetStates = ["healthy", "unhealthy", "initial", "draining", "unused", "unavailable", "unhealthy.draining"]
    static let alarmStates = ["OK", "ALARM", "INSUFFICIENT_DATA"]
    static let recordTypes = ["A", "AAAA", "CNAME"]

    init(_ fields: [String: ScenarioReader]) throws {
        changeSeconds = try fields["change_seconds"].map { try $0.number("a number of seconds >= 0", atLeast: 0) }
        records = try fields["records"]?.list().map(Self.record) ?? []
        targetGroups = try fields["target_groups"]?.entries().map { ($0.key, try Self.targets($0.value)) } ?? []
        alarms = try fields["alarms"]?.entries().map { ($0.key, try Self.alarm($0.value)) } ?? []
        services = try fields["services"]?.list().map(Self.service) ?? []
        metrics = try fields["metrics"]?.list().map(Self.metric) ?? []
        http = try fields["http"]?.entries().map { ($0.key, try Self.endpoint($0.value)) } ?? []
    }

    static func record(_ r: ScenarioReader) throws -> Record {
        let f = try r.fields(["zone", "zone_id", "name", "type", "weights"])
        let zone = try required(f, "zone", in: r).string()
        let name = try required(f, "name", in: r).string()
        let zoneID = try f["zone_id"].map { z in
            let id = try z.string()
            guard case .id(let plain) = CloudNames.zoneReference(id) else {
                throw z.error("expected a hosted zone id such as \"Z0123456789ABC\", got \"\(id)\"")
            }
            return plain
        }
        let type = try f["type"].map { try $0.oneOf(recordTypes) }
        let weights = try required(f, "weights", in: r)
        var parsed: [String: Int] = [:]
        for (set, w) in try weights.entries() { parsed[set] = try w.int(0...255, "an integer 0-255") }
        if parsed.isEmpty { throw weights.error("expected at least one weighted set, e.g. { blue = 100, green = 0 }") }
        return Record(path: r.path, zone: CloudNames.recordName(zone), zoneID: zoneID, name: CloudNames.recordName(name), type: type,
                      weights: parsed)
    }

    static func targets(_ r: ScenarioReader) throws -> Targets {
        if case .string = r.value { return .all(try r.oneOf(targetStates)) }
        return .each(try r.list().map { try $0.oneOf(targetStates) })
    }

    static func alarm(_ r: ScenarioReader) throws -> SimAlarm {
        if case .string = r.value { return SimAlarm(state: try r.oneOf(alarmStates)) }
        let f = try r.fields(["state", "reason"])
        return SimAlarm(state: try required(f, "state", in: r).oneOf(alarmStates), reason: try f["reason"]?.string())
    }

    static func service(_ r: ScenarioReader) throws -> Service {
        let f = try r.fields(["cluster", "name", "desired", "running", "pending", "stopped", "stopped_reason",
                              "task_definition", "container", "status", "rollout_state", "rollout_reason"])
        func count(_ key: String) throws -> Int? { try f[key]?.int(0...10_000, "a count of tasks 0-10000") }
        return Service(
            path: r.path, cluster: try required(f, "cluster", in: r).string(), name: try required(f, "name", in: r).string(),
            desired: try count("desired"), running: try count("running"), pending: try count("pending"),
            stopped: try count("stopped"), stoppedReason: try f["stopped_reason"]?.string(),
            taskDefinition: try f["task_definition"]?.string(), container: try f["container"]?.string(),
            status: try f["status"]?.oneOf(["ACTIVE", "DRAINING", "INACTIVE"]),
            rolloutState: try f["rollout_state"]?.oneOf(["COMPLETED", "IN_PROGRESS", "FAILED"]),
            rolloutReason: try f["rollout_reason"]?.string())
    }

    static func metric(_ r: ScenarioReader) throws -> SimMetric {
        let f = try r.fields(["namespace", "metric", "dimensions", "stat", "value", "values"])
        var dimensions: [String: String] = [:]
        for (name, v) in try f["dimensions"]?.entries() ?? [] { dimensions[name] = try v.string() }
        var m = SimMetric(namespace: try required(f, "namespace", in: r).string(), metric: try required(f, "metric", in: r).string(),
                          dimensions: dimensions, stat: try f["stat"]?.string())
        switch (f["value"], f["values"]) {
        case (let v?, nil): m.value = try v.number("a number")
        case (nil, let vs?): m.values = try vs.list().map { try $0.number("a number") }
        case (.some, .some): throw r.error("give value or values, not both")
        case (nil, nil): throw r.error("value (one datapoint per period) or values (the datapoints, newest last) is required")
        }
        return m
    }

    static func endpoint(_ r: ScenarioReader) throws -> SimEndpoint? {
        if case .bool(false) = r.value { return nil }
        let f = try r.fields(["status", "latency_ms", "body"])
        var e = SimEndpoint()
        if let s = f["status"] { e.status = try s.int(100...599, "an HTTP status 100-599") }
        if let l = f["latency_ms"] { e.latencyMs = try l.number("a number of milliseconds >= 0", atLeast: 0) }
        if let b = f["body"] { e.body = try b.string(nonEmpty: false) }
        return e
    }

    static func required(_ fields: [String: ScenarioReader], _ key: String, in r: ScenarioReader) throws -> ScenarioReader {
        guard let value = fields[key] else { throw SimulatedCloudError(path: r.path + [key], problem: "is required") }
        return value
    }
}
