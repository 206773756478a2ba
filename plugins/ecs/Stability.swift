/// When `await_stable` calls a service stable, without the network: it runs as many tasks as it
/// wants, its primary deployment finished rolling out, and no task of that deployment's task
/// definition has stopped since the deployment began (a crash loop or failing health checks
/// would otherwise pass between two replacements).
enum Stability {
    enum Verdict: Sendable, Equatable {
        /// The counters and the rollout say stable; the stopped tasks are still to be looked at.
        case stable
        case waiting(String)
        /// Waiting longer cannot help.
        case failed(name: String, message: String)
    }

    static func judge(_ s: ServiceRecord) -> Verdict {
        if let status = s.status, status != "ACTIVE" {
            return .failed(name: "ServiceInactive", message: "service \(s.serviceName) is \(status)")
        }
        let running = s.runningCount ?? 0, desired = s.desiredCount ?? 0
        guard let primary = s.primary else {
            return .waiting("running \(running) of \(desired), no PRIMARY deployment")
        }
        let rollout = primary.rolloutState ?? ""
        let td = primary.taskDefinition.map(ECSNames.taskDefinition) ?? "?"
        if rollout == "FAILED" {
            return .failed(name: "DeploymentFailed", message: "deployment \(primary.id ?? "?") of \(td) FAILED"
                + (primary.rolloutStateReason.map { ": \($0)" } ?? ""))
        }
        let count = s.deployments?.count ?? 0
        let seen = "running \(running) of \(desired), primary deployment (\(td)) \(rollout.isEmpty ? "without rollout state" : rollout), "
            + "\(count) deployment\(count == 1 ? "" : "s")"
        guard running == desired else { return .waiting(seen) }
        if rollout == "COMPLETED" { return .stable }
        // rolloutState comes only with the ECS rolling-update controller (not CODE_DEPLOY or EXTERNAL,
        // nor from moto's older fixtures): then a lone deployment at full strength is what a finished
        // rollout looks like.
        if rollout.isEmpty, count == 1, primary.runningCount == primary.desiredCount { return .stable }
        return .waiting(seen)
    }

    /// STOPPED tasks of the service's primary task definition that stopped after the primary
    /// deployment was created (all of them when either time is unknown).
    static func stoppedSinceDeployment(_ tasks: [TaskRecord], service s: ServiceRecord) -> [TaskRecord] {
        guard let primary = s.primary, let td = primary.taskDefinition else { return [] }
        return tasks.filter { t in
            guard t.group == "service:\(s.serviceName)", TaskMatch.taskDefinition(t.taskDefinitionArn, matches: td) else { return false }
            guard let began = primary.createdAt?.seconds, let stopped = t.stoppedAt?.seconds ?? t.createdAt?.seconds else { return true }
            return stopped >= began
        }
    }

    /// `2 tasks of web:3 stopped since the deployment began: 5f2c… (Essential container in task exited), ...`.
    static func describeStopped(_ tasks: [TaskRecord]) -> String {
        let td = tasks.first?.taskDefinitionArn.map(ECSNames.taskDefinition) ?? "?"
        let shown = tasks.prefix(3).map { t in
            let why = [t.stopCode, t.stoppedReason].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ": ")
            return t.shortID + (why.isEmpty ? "" : " (\(why))")
        }
        return "\(tasks.count) task\(tasks.count == 1 ? "" : "s") of \(td) stopped since the deployment began: "
            + shown.joined(separator: ", ") + (tasks.count > 3 ? ", ..." : "")
    }
}
