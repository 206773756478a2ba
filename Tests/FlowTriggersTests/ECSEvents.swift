import FlowEvents
@testable import FlowTriggers

/// ECS "Task State Change" events as the seed's green service emits them, cut to the fields
/// the decisions read.
enum ECSEvents {
    static let cluster = "arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster"

    static func task(_ id: String, version: Int, revision: Int, service: String = "canary-green",
                     family: String = "canary-app", status: String = "RUNNING", eventID: String? = nil) -> JSONValue {
        [
            "version": "0",
            "id": .string(eventID ?? "ev-\(id)-\(version)"),
            "detail-type": "ECS Task State Change",
            "source": "aws.ecs",
            "detail": [
                "clusterArn": .string(cluster),
                "group": .string("service:" + service),
                "taskArn": .string("arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/" + id),
                "taskDefinitionArn": .string("arn:aws:ecs:us-west-2:111122223333:task-definition/\(family):\(revision)"),
                "lastStatus": .string(status),
                "desiredStatus": "RUNNING",
                "version": .number(JSONNumber(version)),
            ],
        ]
    }
}

/// What the watcher does with the pure parts, without I/O: decide, then fold the record in.
struct Simulator {
    var state = TriggerState()
    var policy: TriggerPolicy = .reject
    var trigger = "t"
    var key = KeyExpression.default
    var clock: Int64 = 0

    /// Decides `event` (matched unless said otherwise) and records the decision, as the watcher
    /// does for matched events.
    @discardableResult
    mutating func feed(_ event: JSONValue, matched: Bool = true) throws -> Decision {
        let input = TriggerState.Input(event: event, matched: matched, keyExpression: key)
        let d = state.decide(input, trigger: trigger, policy: policy)
        if matched {
            clock += 1
            try state.apply(.decided(Decided(at: clock, facts: input.facts, decision: d, origin: "test",
                                             body: d.startsExecution ? event.description : nil)))
        }
        return d
    }

    mutating func end(_ id: String, _ status: Ended.Status = .succeeded) throws {
        clock += 1
        try state.apply(.ended(Ended(at: clock, execution: id, status: status)))
    }

    mutating func promote(_ id: String) throws {
        clock += 1
        try state.apply(.promoted(Promoted(at: clock, execution: id)))
    }
}
