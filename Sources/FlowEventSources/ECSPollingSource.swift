import FlowAWS
import Foundation
import Logging

/// "ECS Task State Change" events for users without EventBridge: every interval it lists the
/// service's tasks (desired RUNNING and STOPPED), describes them, and synthesises an event for each
/// task seen for the first time or whose (lastStatus, desiredStatus, version) changed since.
/// Changes between two polls that cancel out are not seen; the consumer must not need them.
public struct ECSPollingSource: EventSource {
    public let cluster: String
    public let service: String
    let client: AWSClient
    let options: EventSourceOptions

    public var description: String { "ecs:\(cluster)/\(service)" }

    public init(cluster: String, service: String, client: AWSClient, options: EventSourceOptions = EventSourceOptions()) {
        self.cluster = cluster
        self.service = service
        self.client = client
        self.options = options
    }

    public func run(_ deliver: @Sendable (IncomingEvent) async throws -> Void) async throws {
        let retry = TransientRetry(options: options, source: description)
        var tracker = ECSTaskTracker()
        while true {
            try Task.checkCancellation()
            let tasks = try await retry.run("ListTasks/DescribeTasks") { try await describeServiceTasks() }
            let observedAt = Date()
            tracker.forget(allBut: Set(tasks.compactMap { $0["taskArn"]?.string }))
            for task in Self.inCreationOrder(tasks) {
                guard let observation = Self.observation(task), let version = tracker.version(for: observation) else { continue }
                let event = IncomingEvent(body: try ECSTaskEvent.envelope(task: task, version: version, observedAt: observedAt),
                                          origin: description)
                do {
                    try await deliver(event)
                    tracker.record(observation, version: version)
                } catch {
                    try Task.checkCancellation()
                    options.logger.error("event not recorded; offered again at the next poll", metadata: [
                        "source": "\(description)", "task": "\(observation.taskArn)", "error": "\(error)",
                    ])
                }
            }
            try await Task.sleep(for: options.ecsPollInterval)
        }
    }

    /// The service's tasks as DescribeTasks gives them. Tasks gone between the two calls come back
    /// as `failures` and are skipped.
    func describeServiceTasks() async throws -> [JSONValue] {
        let ecs = ECS(client: client)
        var arns = try await ecs.listTasks(cluster: cluster, serviceName: service, desiredStatus: "RUNNING")
        var listed = Set(arns)
        for arn in try await ecs.listTasks(cluster: cluster, serviceName: service, desiredStatus: "STOPPED")
        where !listed.contains(arn) {
            listed.insert(arn)
            arns.append(arn)
        }
        struct In: Encodable { var cluster: String; var tasks: [String] }
        struct Out: Decodable { var tasks: [JSONValue]? }
        var tasks: [JSONValue] = []
        // At most 100 tasks per call.
        for start in stride(from: 0, to: arns.count, by: 100) {
            let chunk = Array(arns[start..<min(start + 100, arns.count)])
            tasks += try await client.json(.ecs, "DescribeTasks", In(cluster: cluster, tasks: chunk), as: Out.self).tasks ?? []
        }
        return tasks
    }

    static func observation(_ task: JSONValue) -> ECSTaskTracker.Observation? {
        guard let arn = task["taskArn"]?.string else { return nil }
        return .init(taskArn: arn, lastStatus: task["lastStatus"]?.string ?? "", desiredStatus: task["desiredStatus"]?.string ?? "",
                     ecsVersion: task["version"]?.int)
    }

    /// Oldest first (then by ARN), so a poll reports a deployment's tasks in the order they started.
    static func inCreationOrder(_ tasks: [JSONValue]) -> [JSONValue] {
        tasks.sorted {
            let a = $0["createdAt"]?.number ?? 0, b = $1["createdAt"]?.number ?? 0
            return a != b ? a < b : ($0["taskArn"]?.string ?? "") < ($1["taskArn"]?.string ?? "")
        }
    }
}
