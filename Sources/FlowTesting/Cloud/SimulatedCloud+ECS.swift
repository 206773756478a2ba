import FlowEngine

/// `ecs.describe_service`, `ecs.await_task`, `ecs.await_stable`: the waits look at the state
/// every `every` seconds of the run's clock, so a timed change can end them.
extension SimulatedCloud {
    func describeService(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        try state.withLock { s in
            s.serviceValue(try s.service(cluster: args["cluster"].stringValue ?? "", service: args["service"].stringValue ?? ""))
        }
    }

    func awaitTask(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let cluster = args["cluster"].stringValue ?? ""
        let match = TaskSelection(args)
        let task = try await VirtualWaiting.poll(
            context, timeout: args["timeout"].number ?? 600, every: args["every"].number ?? 5,
            waitingFor: "no task of \(match.subject) in cluster \(cluster) reached \(match.status)"
        ) { () throws -> VirtualWaiting.Look<SimTask> in
            let tasks = try state.withLock { try $0.tasks(cluster: cluster) }.filter { $0.desiredStatus == "RUNNING" }
            if let ready = match.pick(tasks) { return .done(ready) }
            return .waiting(match.describe(tasks))
        }
        return task.value
    }

    func awaitStable(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let cluster = args["cluster"].stringValue ?? "", service = args["service"].stringValue ?? ""
        return try await VirtualWaiting.poll(
            context, timeout: args["timeout"].number ?? 600, every: args["every"].number ?? 5,
            waitingFor: "service \(CloudNames.serviceName(service)) in cluster \(cluster) was not stable"
        ) { () throws -> VirtualWaiting.Look<StepValue> in
            try state.withLock { s in
                let found = try s.service(cluster: cluster, service: service)
                if let seen = try Self.unstable(found, tasks: s.tasks(found)) { return .waiting(seen) }
                return .done(s.serviceValue(found))
            }
        }
    }

    /// What keeps a service from being stable (nil: it is), or the failure waiting cannot mend,
    /// as the ecs plugin's Stability judges it.
    static func unstable(_ s: SimService, tasks: [SimTask]) throws -> String? {
        if s.status != "ACTIVE" { throw StepFailure("ServiceInactive", "service \(s.name) is \(s.status)", retryable: false) }
        let rollout = s.effectiveRolloutState
        let td = CloudNames.shortTaskDefinition(s.taskDefinition)
        if rollout == "FAILED" {
            let id = CloudNames.deploymentID(cluster: s.cluster, service: s.name, taskDefinition: s.taskDefinition)
            throw StepFailure("DeploymentFailed", "deployment \(id) of \(td) FAILED" + (s.rolloutStateReason.map { ": \($0)" } ?? ""),
                              retryable: false)
        }
        let seen = "running \(s.running) of \(s.desired), primary deployment (\(td)) \(rollout), 1 deployment"
        guard s.running == s.desired, rollout == "COMPLETED" else { return seen }
        let stopped = tasks.filter { $0.lastStatus == "STOPPED" }
        guard !stopped.isEmpty else { return nil }
        let why = "EssentialContainerExited: \(s.stoppedReason)"
        let shown = stopped.prefix(3).map { "\($0.shortID) (\(why))" }
        return "\(stopped.count) task\(stopped.count == 1 ? "" : "s") of \(td) stopped since the deployment began: "
            + shown.joined(separator: ", ") + (stopped.count > 3 ? ", ..." : "")
    }
}
