/// Which tasks `await_task` is waiting for: those of a service (its group, `service:NAME`) or
/// those with a container of a given name, optionally of one task definition.
struct TaskMatch: Sendable, Equatable {
    enum Selector: Sendable, Equatable {
        case service(String)
        case container(String)
    }

    var selector: Selector
    /// An ARN, `family:revision` or just `family`.
    var taskDefinition: String?
    /// The lastStatus awaited (desiredStatus must be RUNNING too).
    var status: String

    /// Whether `task` belongs to what is awaited, whatever its status.
    func selects(_ task: TaskRecord) -> Bool {
        switch selector {
        case .service(let name):
            // Checked here and not left to ListTasks: moto ignores its serviceName filter.
            guard task.group == "service:\(ECSNames.serviceName(name))" else { return false }
        case .container(let name):
            guard task.containers?.contains(where: { $0.name == name }) == true else { return false }
        }
        guard let wanted = taskDefinition else { return true }
        return Self.taskDefinition(task.taskDefinitionArn, matches: wanted)
    }

    /// The seed's trigger: the task is where it was asked to be and meant to stay running.
    func isReady(_ task: TaskRecord) -> Bool {
        selects(task) && task.lastStatus == status && task.desiredStatus == "RUNNING"
    }

    /// The newest ready task (latest start, then ARN for a stable choice), or nil.
    func pick(_ tasks: [TaskRecord]) -> TaskRecord? {
        let order = { (t: TaskRecord) in (t.startedAt ?? EpochSeconds(nil), t.taskArn) }
        return tasks.filter(isReady).max { order($0) < order($1) }
    }

    static func taskDefinition(_ arn: String?, matches wanted: String) -> Bool {
        guard let arn else { return false }
        if wanted.hasPrefix("arn:") { return arn == wanted }
        if wanted.contains(":") { return ECSNames.taskDefinition(arn) == wanted }
        return ECSNames.family(arn) == wanted
    }

    /// What was seen, for a Timeout: `2 tasks: 5f2c PENDING/RUNNING (web:3), 9a1e RUNNING/STOPPED (web:2)`.
    func describe(_ tasks: [TaskRecord]) -> String {
        let mine = tasks.filter(selects)
        guard !mine.isEmpty else { return "no tasks of \(subject)" }
        let shown = mine.prefix(5).map { t in
            "\(t.shortID) \(t.lastStatus ?? "?")/\(t.desiredStatus ?? "?") (\(t.taskDefinitionArn.map(ECSNames.taskDefinition) ?? "?"))"
        }
        return "\(mine.count) task\(mine.count == 1 ? "" : "s"): " + shown.joined(separator: ", ") + (mine.count > 5 ? ", ..." : "")
    }

    var subject: String {
        var s: String
        switch selector {
        case .service(let name): s = "service \(ECSNames.serviceName(name))"
        case .container(let name): s = "container \(name)"
        }
        if let td = taskDefinition { s += " (\(ECSNames.taskDefinition(td)))" }
        return s
    }
}
