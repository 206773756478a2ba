import FlowEngine

/// `health.targets`' verdict over simulated targets, worded as the health plugin words it.
enum TargetVerdict {
    /// AWS's usual reason and description for a state (the strict fixture's too).
    static func reason(_ state: String) -> (reason: String, description: String)? {
        switch state {
        case "unhealthy": ("Target.FailedHealthChecks", "Health checks failed")
        case "unhealthy.draining", "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress")
        case "initial": ("Elb.RegistrationInProgress", "Target registration is in progress")
        case "unused": ("Target.NotInUse", "Target group is not configured to receive traffic from the load balancer")
        case "unavailable": ("Target.HealthCheckDisabled", "Health checks are disabled for the target group")
        default: nil
        }
    }

    enum Bucket { case healthy, unhealthy, initial, draining, unused, unavailable }

    static func bucket(_ state: String) -> Bucket {
        switch state {
        case "healthy": .healthy
        case "unhealthy": .unhealthy
        case "initial": .initial
        case "draining", "unhealthy.draining": .draining
        case "unused": .unused
        default: .unavailable
        }
    }

    /// `{id, port, state, reason, description}` as DescribeTargetHealth reports a target.
    static func value(_ t: SimTarget) -> StepValue {
        let why = reason(t.state)
        return .record(["id": .string(t.id), "port": .int(t.port), "state": .string(t.state),
                        "reason": .string(why?.reason), "description": .string(why?.description)])
    }

    static func summary(_ t: SimTarget) -> String {
        "\(t.id):\(t.port) \(t.state)" + (reason(t.state).map { " (\($0.reason))" } ?? "")
    }

    static func evaluate(_ targets: [SimTarget], minHealthy: SimThreshold, group: String) -> GateResult {
        var count: [Bucket: Int] = [:]
        for t in targets { count[bucket(t.state), default: 0] += 1 }
        let n = { (b: Bucket) in count[b, default: 0] }
        let total = targets.count, judged = total - n(.draining)
        let value = StepValue.record([
            "healthy": .int(n(.healthy)), "unhealthy": .int(n(.unhealthy)), "initial": .int(n(.initial)),
            "draining": .int(n(.draining)), "unused": .int(n(.unused)), "unavailable": .int(n(.unavailable)),
            "total": .int(total), "targets": .list(targets.map(Self.value)),
        ])
        guard total > 0 else { return GateResult(.fail, "no targets registered in TG \(group)", value: value) }
        let unused = targets.filter { bucket($0.state) == .unused }
        if !unused.isEmpty {
            return GateResult(.fail, "\(unused.count) of \(total) targets unused, so \(group) is not serving them traffic: "
                + list(unused), value: value)
        }
        guard judged > 0 else { return GateResult(.fail, "all \(total) targets of \(group) are draining", value: value) }
        let need = minHealthy.required(of: judged)
        var head = "\(n(.healthy)) of \(judged) targets healthy (need \(minHealthy))"
        if n(.draining) > 0 { head += "; \(n(.draining)) draining not counted" }
        let against = targets.filter { [.unhealthy, .unavailable].contains(bucket($0.state)) }
        let registering = targets.filter { bucket($0.state) == .initial }
        if n(.healthy) >= need {
            let notes = against + registering
            return GateResult(.pass, notes.isEmpty ? head : head + "; " + list(notes), value: value)
        }
        if n(.healthy) + n(.initial) >= need {
            return GateResult(.inconclusive, head + "; waiting for \(registering.count) registering: " + list(registering + against),
                              value: value)
        }
        return GateResult(.fail, head + ": " + list(against + registering), value: value)
    }

    static func list(_ targets: [SimTarget]) -> String {
        let shown = targets.prefix(5).map(summary).joined(separator: ", ")
        return targets.count > 5 ? shown + " and \(targets.count - 5) more" : shown
    }
}
