import FlowEngine

/// One registered target as DescribeTargetHealth reports it.
public struct TargetState: Sendable, Equatable {
    public var id: String
    public var port: Int?
    /// initial, healthy, unhealthy, unhealthy.draining, unused, draining, unavailable.
    public var state: String
    public var reason: String?
    public var description: String?

    public init(id: String, port: Int? = nil, state: String, reason: String? = nil, description: String? = nil) {
        self.id = id
        self.port = port
        self.state = state
        self.reason = reason
        self.description = description
    }

    var address: String { port.map { "\(id):\($0)" } ?? id }

    /// `10.0.1.5:80 unhealthy (Target.ResponseCodeMismatch)`.
    var summary: String { "\(address) \(state)" + (reason.map { " (\($0))" } ?? "") }

    /// `{id, port, state, reason, description}`: how `health.target_health` reports it.
    public var luaValue: StepValue {
        .record(["id": .string(id), "port": port.map { .int($0) }, "state": .string(state),
                 "reason": .string(reason), "description": .string(description)])
    }
}

/// Counts of a target group's targets by what they mean for traffic.
public struct TargetCounts: Sendable, Equatable {
    public var healthy = 0, unhealthy = 0, initial = 0, draining = 0, unused = 0, unavailable = 0
    public var total: Int { healthy + unhealthy + initial + draining + unused + unavailable }
    /// Targets that are staying: draining ones are on their way out and judged by nobody.
    public var judged: Int { total - draining }

    public init(_ targets: [TargetState]) {
        for t in targets {
            switch TargetHealthEvaluation.bucket(t.state) {
            case .healthy: healthy += 1
            case .unhealthy: unhealthy += 1
            case .initial: initial += 1
            case .draining: draining += 1
            case .unused: unused += 1
            case .unavailable: unavailable += 1
            }
        }
    }
}

/// The `health.targets` verdict, without the network: every target counts, not the first
/// (the seed architecture looked at one target only).
public enum TargetHealthEvaluation {
    enum Bucket { case healthy, unhealthy, initial, draining, unused, unavailable }

    static func bucket(_ state: String) -> Bucket {
        switch state {
        case "healthy": .healthy
        case "unhealthy": .unhealthy
        case "initial": .initial
        // Leaving the group either way: neither for nor against the new release.
        case "draining", "unhealthy.draining": .draining
        case "unused": .unused
        // `unavailable` and any state AWS adds later: nothing says the target serves traffic.
        default: .unavailable
        }
    }

    /// Lists at most this many targets in a reason; the value has them all.
    static let listed = 5

    public static func evaluate(_ targets: [TargetState], minHealthy: Threshold, group: String) -> GateResult {
        let counts = TargetCounts(targets)
        let value = luaValue(counts, targets)
        guard counts.total > 0 else {
            return GateResult(.fail, "no targets registered in TG \(group)", value: value)
        }
        let unused = targets.filter { bucket($0.state) == .unused }
        if !unused.isEmpty {
            return GateResult(.fail, "\(unused.count) of \(counts.total) targets unused, so \(group) is not serving them traffic: "
                + list(unused), value: value)
        }
        guard counts.judged > 0 else {
            return GateResult(.fail, "all \(counts.total) targets of \(group) are draining", value: value)
        }
        let need = minHealthy.required(of: counts.judged)
        var head = "\(counts.healthy) of \(counts.judged) targets healthy (need \(minHealthy))"
        if counts.draining > 0 { head += "; \(counts.draining) draining not counted" }
        let against = targets.filter { [.unhealthy, .unavailable].contains(bucket($0.state)) }
        let registering = targets.filter { bucket($0.state) == .initial }
        if counts.healthy >= need {
            let notes = against + registering
            return GateResult(.pass, notes.isEmpty ? head : head + "; " + list(notes), value: value)
        }
        if counts.healthy + counts.initial >= need {
            return GateResult(.inconclusive, head + "; waiting for \(registering.count) registering: " + list(registering + against),
                              value: value)
        }
        return GateResult(.fail, head + ": " + list(against + registering), value: value)
    }

    static func list(_ targets: [TargetState]) -> String {
        let shown = targets.prefix(listed).map(\.summary).joined(separator: ", ")
        return targets.count > listed ? shown + " and \(targets.count - listed) more" : shown
    }

    static func luaValue(_ c: TargetCounts, _ targets: [TargetState]) -> StepValue {
        .record(["healthy": .int(c.healthy), "unhealthy": .int(c.unhealthy), "initial": .int(c.initial),
                 "draining": .int(c.draining), "unused": .int(c.unused), "unavailable": .int(c.unavailable),
                 "total": .int(c.total), "targets": .list(targets.map(\.luaValue))])
    }
}
