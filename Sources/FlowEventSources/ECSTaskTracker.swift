/// What the poller knows of each task: decides which observed tasks changed and which version
/// their event carries. Pure: the source records a change only once its event was delivered, so
/// an event the consumer failed to record is offered again at the next poll.
struct ECSTaskTracker: Sendable {
    struct Observation: Sendable, Equatable {
        var taskArn: String
        var lastStatus: String
        var desiredStatus: String
        /// DescribeTasks' `version`, when the API gives one (ECS does; moto does not).
        var ecsVersion: Int64?
    }

    private struct Seen: Sendable {
        var observation: Observation
        var version: Int64
    }

    private var seen: [String: Seen] = [:]

    var count: Int { seen.count }

    /// The version of the event `observation` calls for, or nil when nothing changed since the
    /// last recorded one. Without ECS's version it is the task's place in its lifecycle (see
    /// `lifecycleVersion`), raised past the last one recorded if a status ever goes backwards, so
    /// it rises on every change within a run, and a restarted poller gives an unchanged task the
    /// version it had (a duplicate to the consumer, not a new event).
    func version(for observation: Observation) -> Int64? {
        let previous = seen[observation.taskArn]
        if let previous, previous.observation == observation { return nil }
        if let ecs = observation.ecsVersion { return ecs }
        let derived = Self.lifecycleVersion(lastStatus: observation.lastStatus, desiredStatus: observation.desiredStatus)
        guard let previous else { return derived }
        return max(derived, previous.version + 1)
    }

    mutating func record(_ observation: Observation, version: Int64) {
        seen[observation.taskArn] = Seen(observation: observation, version: version)
    }

    /// Drops tasks no longer listed (ECS forgets stopped tasks after about an hour), so memory stays
    /// bounded by the service's recent tasks.
    mutating func forget(allBut listed: Set<String>) {
        seen = seen.filter { listed.contains($0.key) }
    }

    /// A task's lastStatus only moves forward (PROVISIONING ... STOPPED) and its desiredStatus from
    /// RUNNING to STOPPED, so rank(lastStatus) * 3 + rank(desiredStatus) never decreases.
    static func lifecycleVersion(lastStatus: String, desiredStatus: String) -> Int64 {
        let last = lifecycle.firstIndex(of: lastStatus).map { Int64($0 + 1) } ?? 0
        let desired: Int64 = ["PENDING": 0, "RUNNING": 1, "STOPPED": 2][desiredStatus] ?? 0
        return last * 3 + desired
    }

    static let lifecycle = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING",
                            "DEPROVISIONING", "STOPPED"]
}
