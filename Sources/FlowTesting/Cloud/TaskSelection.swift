import FlowEngine

/// Which tasks `ecs.await_task` waits for, as the ecs plugin's TaskMatch decides: a service's
/// (its group) or those with a container of a name, optionally of one task definition.
struct TaskSelection: Sendable {
    var service: String?
    var container: String?
    var taskDefinition: String?
    var status: String

    /// From a validated keyword table.
    init(_ args: StepValue) {
        service = args["service"].stringValue
        container = args["container"].stringValue
        taskDefinition = args["task_definition"].stringValue
        status = args["status"].stringValue ?? "RUNNING"
    }

    func selects(_ t: SimTask) -> Bool {
        if let service, t.group != "service:\(CloudNames.serviceName(service))" { return false }
        if let container, t.container != container { return false }
        guard let wanted = taskDefinition else { return true }
        if wanted.hasPrefix("arn:") { return t.taskDefinitionARN == wanted }
        if wanted.contains(":") { return CloudNames.shortTaskDefinition(t.taskDefinitionARN) == wanted }
        return CloudNames.family(t.taskDefinitionARN) == wanted
    }

    /// The ready task started last: with no start times, the greatest ARN (as the plugin orders them).
    func pick(_ tasks: [SimTask]) -> SimTask? {
        tasks.filter { selects($0) && $0.lastStatus == status && $0.desiredStatus == "RUNNING" }.max { $0.arn < $1.arn }
    }

    /// `2 tasks: 5f2c PENDING/RUNNING (web:3), ...`.
    func describe(_ tasks: [SimTask]) -> String {
        let mine = tasks.filter(selects)
        guard !mine.isEmpty else { return "no tasks of \(subject)" }
        let shown = mine.prefix(5).map { "\($0.shortID) \($0.lastStatus)/\($0.desiredStatus) (\(CloudNames.shortTaskDefinition($0.taskDefinitionARN)))" }
        return "\(mine.count) task\(mine.count == 1 ? "" : "s"): " + shown.joined(separator: ", ") + (mine.count > 5 ? ", ..." : "")
    }

    var subject: String {
        var s = service.map { "service \(CloudNames.serviceName($0))" } ?? "container \(container ?? "?")"
        if let td = taskDefinition { s += " (\(CloudNames.shortTaskDefinition(td)))" }
        return s
    }
}
