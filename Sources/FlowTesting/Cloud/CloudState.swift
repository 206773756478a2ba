import FlowEngine

/// Everything the simulated cloud holds. A value type behind the cloud's Mutex: every read and
/// change of a simulated call is one critical section, so the sections stay consistent.
struct CloudState: Sendable {
    var region: String
    var changeSeconds = 0.0
    var records: [SimRecord] = []
    var targetGroups: [String: SimTargetGroup] = [:]
    /// Target groups made so far: numbers the next group's target addresses.
    var groupsMade = 0
    var alarms: [String: SimAlarm] = [:]
    var services: [SimService] = []
    var metrics: [SimMetric] = []
    var http: [String: SimEndpoint] = [:]
    /// Route53 change id -> when it turns INSYNC.
    var route53Changes: [String: Millis] = [:]
    /// Every call, bounded: a gate polled for a week makes 600,000.
    var calls = BoundedLog<SimCall>()
    var notifications: [SimNotification] = []

    init(region: String) { self.region = region }

    mutating func apply(_ patch: CloudPatch) throws {
        if let s = patch.changeSeconds { changeSeconds = s }
        for r in patch.records { try apply(r) }
        for (name, targets) in patch.targetGroups { apply(name, targets) }
        for (name, alarm) in patch.alarms { alarms[name] = alarm }
        for s in patch.services { try apply(s) }
        for m in patch.metrics {
            if let i = metrics.firstIndex(where: { $0.key == m.key }) { metrics[i] = m } else { metrics.append(m) }
        }
        for (url, endpoint) in patch.http { http[url] = endpoint }
    }

    /// A record's named sets take the weights given; a record not seen before is added.
    private mutating func apply(_ r: CloudPatch.Record) throws {
        let sameZone = Set(records.filter { $0.zoneName == r.zone }.map(\.zoneID))
        let zoneID = r.zoneID ?? (sameZone.count == 1 ? sameZone.first ?? "" : CloudNames.zoneID(r.zone))
        let candidates = records.indices.filter {
            records[$0].zoneID == zoneID && records[$0].name == r.name && (r.type == nil || records[$0].type == r.type)
        }
        if candidates.count > 1 {
            let types = candidates.map { records[$0].type }.sorted().joined(separator: ", ")
            throw SimulatedCloudError(path: r.path, problem: "\(r.name) has weighted sets of types \(types): give type")
        }
        if let i = candidates.first {
            records[i].weights.merge(r.weights) { _, new in new }
        } else {
            records.append(SimRecord(zoneName: r.zone, zoneID: zoneID, name: r.name, type: r.type ?? "A", weights: r.weights))
        }
    }

    private mutating func apply(_ name: String, _ targets: CloudPatch.Targets) {
        var group = targetGroups[name] ?? {
            groupsMade += 1
            return SimTargetGroup(name: name, arn: CloudNames.targetGroupARN(name, region: region), number: groupsMade, targets: [])
        }()
        let states: [String] = switch targets {
        case .all(let state): Array(repeating: state, count: group.targets.isEmpty ? 2 : group.targets.count)
        case .each(let states): states
        }
        group.targets = states.enumerated().map { SimTarget(id: CloudNames.targetID(group: group.number, index: $0), state: $1) }
        targetGroups[name] = group
    }

    private mutating func apply(_ s: CloudPatch.Service) throws {
        let cluster = CloudNames.clusterName(s.cluster), name = CloudNames.serviceName(s.name)
        var service: SimService
        let index = services.firstIndex { $0.cluster == cluster && $0.name == name }
        if let index {
            service = services[index]
        } else {
            guard let td = s.taskDefinition else {
                throw SimulatedCloudError(path: s.path + ["task_definition"], problem: "is required for a new service (e.g. \"app:2\")")
            }
            let running = s.running ?? s.desired ?? 0
            service = SimService(cluster: cluster, name: name, desired: s.desired ?? running, running: running, taskDefinition: td)
        }
        if let td = s.taskDefinition, td != service.taskDefinition {
            // A new deployment: what stopped under the old one is no longer counted against it.
            service.taskDefinition = td
            service.stopped = 0
            service.rolloutState = nil
            service.rolloutStateReason = nil
        }
        if let v = s.desired { service.desired = v }
        if let v = s.running { service.running = v }
        if let v = s.pending { service.pending = v }
        if let v = s.stopped { service.stopped = v }
        if let v = s.stoppedReason { service.stoppedReason = v }
        if let v = s.container { service.container = v }
        if let v = s.status { service.status = v }
        if let v = s.rolloutState { service.rolloutState = v }
        if let v = s.rolloutReason { service.rolloutStateReason = v }
        if let index { services[index] = service } else { services.append(service) }
    }
}
