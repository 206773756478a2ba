import Testing
import FlowEvents

/// The seed's filter (its Lambda: a RUNNING task whose container is `green-app`) as an
/// EventBridge pattern, against real ECS sample events and the derived duplicate and stale ones.
struct ECSEventTests {
    static let seedFilter = """
        {
          "source": ["aws.ecs"],
          "detail-type": ["ECS Task State Change"],
          "detail": {
            "lastStatus": ["RUNNING"],
            "desiredStatus": ["RUNNING"],
            "containers": {"name": ["green-app"]}
          }
        }
        """

    @Test func matchesTheGreenAppEventAndItsDuplicate() throws {
        let pattern = try EventPattern(Self.seedFilter)
        #expect(pattern.matches(try Fixture.ecsEvent("ecs-task-state-change.seed-green-app.derived")))
        #expect(pattern.matches(try Fixture.ecsEvent("ecs-task-state-change.seed-green-app.duplicate.derived")))
    }

    @Test func notTheStalePendingOne() throws {
        let pattern = try EventPattern(Self.seedFilter)
        #expect(!pattern.matches(try Fixture.ecsEvent("ecs-task-state-change.seed-green-app.stale-pending.derived")))
    }

    @Test(arguments: [
        "ecs-task-state-change.running",  // RUNNING, but its container is not green-app
        "ecs-service-action.service-steady-state",
        "ecs-service-action.service-task-start-impaired",
        "ecs-service-action.task-placement-failure",
        "ecs-deployment-state-change.in-progress",
        "ecs-deployment-state-change.rollback-in-progress",
        "ecs-deployment-state-change.completed",
        "ecs-deployment-state-change.failed",
    ])
    func noOtherSampleMatches(_ name: String) throws {
        #expect(try !EventPattern(Self.seedFilter).matches(try Fixture.ecsEvent(name)))
    }

    @Test func operatorsOnRealEvents() throws {
        let running = try Fixture.ecsEvent("ecs-task-state-change.seed-green-app.derived")
        // A task ARN in the cluster, a version number, an ENI address in the VPC.
        #expect(try EventPattern(#"{"detail": {"taskArn": [{"wildcard": "arn:aws:ecs:*:task/FargateCluster/*"}]}}"#).matches(running))
        #expect(try EventPattern(#"{"detail": {"version": [{"numeric": [">=", 4]}]}}"#).matches(running))
        #expect(try EventPattern(#"{"detail": {"attachments": {"details": {"value": [{"cidr": "10.0.0.0/24"}]}}}}"#).matches(running))
        #expect(try EventPattern(#"{"detail": {"stoppedReason": [{"exists": false}]}}"#).matches(running))
        let failed = try Fixture.ecsEvent("ecs-deployment-state-change.failed")
        #expect(try EventPattern(#"{"detail": {"eventName": [{"suffix": "_FAILED"}]}}"#).matches(failed))
    }
}

struct PatternSetTests {
    @Test func reportsWhichPatternsMatch() throws {
        let set = EventPatternSet([
            try EventPattern(#"{"source": ["aws.ecs"]}"#),
            try EventPattern(#"{"source": ["aws.ec2"]}"#),
            try EventPattern(#"{"detail-type": [{"prefix": "ECS Task"}]}"#),
        ])
        let event = try Fixture.ecsEvent("ecs-task-state-change.running")
        #expect(set.matching(event) == [0, 2])
        #expect(set.matchesAny(event))
        #expect(!set.matchesAny(["source": "other"]))
        #expect(set.matching("not an object").isEmpty)
    }

    @Test func patternsFromValues() throws {
        // As a Lua table would give it: keys unordered, validated in sorted order.
        let p = try EventPattern(json: ["source": ["aws.ecs"], "detail": ["lastStatus": [["prefix": "RUN"]]]])
        #expect(p.matches(try Fixture.ecsEvent("ecs-task-state-change.running")))
        #expect(p.fieldPaths == ["detail.lastStatus", "source"])
        #expect(throws: EventPatternError("Empty arrays are not allowed")) { try EventPattern(json: ["a": []]) }
    }
}
