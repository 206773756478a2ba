import Foundation
import Testing
@testable import FlowEventSources

@Suite struct ECSTaskEventTests {
    /// Copied from ../shared/data/ecs-events/ecs-task-state-change.running.json, an event ECS sent
    /// (AWS's documented sample for Fargate).
    static let awsSample = #"""
    {"version":"0","id":"3317b2af-7005-947d-b652-f55e762e571a","detail-type":"ECS Task State Change","source":"aws.ecs",
     "account":"111122223333","time":"2020-01-23T17:57:58Z","region":"us-west-2",
     "resources":["arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad"],
     "detail":{"attachments":[{"id":"1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8","type":"eni","status":"ATTACHED",
       "details":[{"name":"subnetId","value":"subnet-abcd1234"},{"name":"networkInterfaceId","value":"eni-abcd1234"},
                  {"name":"macAddress","value":"0a:98:eb:a7:29:ba"},{"name":"privateIPv4Address","value":"10.0.0.139"}]}],
      "availabilityZone":"us-west-2c","clusterArn":"arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster",
      "containers":[{"containerArn":"arn:aws:ecs:us-west-2:111122223333:container/cf159fd6-3e3f-4a9e-84f9-66cbe726af01",
        "lastStatus":"RUNNING","name":"FargateApp","image":"111122223333.dkr.ecr.us-west-2.amazonaws.com/hello-repository:latest",
        "imageDigest":"sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6",
        "runtimeId":"ad64cbc71c7fb31c55507ec24c9f77947132b03d48d9961115cf24f3b7307e1e",
        "taskArn":"arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad",
        "networkInterfaces":[{"attachmentId":"1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8","privateIpv4Address":"10.0.0.139"}],"cpu":"0"}],
      "createdAt":"2020-01-23T17:57:34.402Z","launchType":"FARGATE","cpu":"256","memory":"512","desiredStatus":"RUNNING",
      "group":"family:sample-fargate","lastStatus":"RUNNING","overrides":{"containerOverrides":[{"name":"FargateApp"}]},
      "connectivity":"CONNECTED","connectivityAt":"2020-01-23T17:57:38.453Z","pullStartedAt":"2020-01-23T17:57:52.103Z",
      "startedAt":"2020-01-23T17:57:58.103Z","pullStoppedAt":"2020-01-23T17:57:55.103Z","updatedAt":"2020-01-23T17:57:58.103Z",
      "taskArn":"arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad",
      "taskDefinitionArn":"arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1","version":4,"platformVersion":"1.3.0"}}
    """#

    /// The same task as DescribeTasks gives it: timestamps in epoch seconds, no updatedAt, the
    /// attachment's type spelt out.
    static func describedTask() throws -> JSONValue {
        var detail = try #require(object(awsSample)["detail"] as? [String: Any])
        for (key, value) in detail where key.hasSuffix("At") {
            let date = try #require(try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(value as! String))
            detail[key] = date.timeIntervalSince1970
        }
        detail["updatedAt"] = nil
        // DescribeTasks names the attachment type in full; events say "eni".
        var attachments = try #require(detail["attachments"] as? [[String: Any]])
        attachments[0]["type"] = "ElasticNetworkInterface"
        detail["attachments"] = attachments
        let data = try JSONSerialization.data(withJSONObject: detail)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// What the poller synthesises is the event ECS sent, field for field, apart from its id.
    @Test func synthesisedEventIsWhatECSSends() throws {
        let observed = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse("2020-01-23T17:57:58.103Z")
        let text = try ECSTaskEvent.envelope(task: try Self.describedTask(), version: 4, observedAt: observed)
        var ours = object(text), theirs = object(Self.awsSample)
        #expect(UUID(uuidString: ours["id"] as? String ?? "") != nil)
        ours["id"] = nil
        theirs["id"] = nil
        #expect(NSDictionary(dictionary: ours).isEqual(to: theirs), "\(text)")
    }

    @Test func timestampsRoundedToMilliseconds() {
        #expect(ECSTaskEvent.iso(1579802254.402) == "2020-01-23T17:57:34.402Z")
        #expect(ECSTaskEvent.iso(1579802254.0) == "2020-01-23T17:57:34.000Z")
        #expect(ECSTaskEvent.iso(1579802254.9996) == "2020-01-23T17:57:35.000Z")
    }

    @Test func taskWithoutArnRefused() throws {
        #expect(throws: EventSourceError.self) {
            try ECSTaskEvent.envelope(task: .object(["lastStatus": .string("RUNNING")]), version: 1, observedAt: Date())
        }
    }
}

@Suite struct ECSTaskTrackerTests {
    typealias Observation = ECSTaskTracker.Observation

    @Test func versionsFromTheLifecycleRiseAndRepeatForDuplicates() {
        var tracker = ECSTaskTracker()
        let pending = Observation(taskArn: "t1", lastStatus: "PENDING", desiredStatus: "RUNNING")
        let running = Observation(taskArn: "t1", lastStatus: "RUNNING", desiredStatus: "RUNNING")
        let stopping = Observation(taskArn: "t1", lastStatus: "RUNNING", desiredStatus: "STOPPED")
        let stopped = Observation(taskArn: "t1", lastStatus: "STOPPED", desiredStatus: "STOPPED")
        var versions: [Int64] = []
        for observation in [pending, running, stopping, stopped] {
            let v = tracker.version(for: observation)
            #expect(v != nil)
            tracker.record(observation, version: v ?? 0)
            versions.append(v ?? 0)
            // Nothing changed: no event.
            #expect(tracker.version(for: observation) == nil)
        }
        #expect(versions == versions.sorted() && Set(versions).count == 4)
        // A poller started afresh gives the unchanged task the same version: a duplicate, not news.
        #expect(ECSTaskTracker().version(for: running) == versions[1])
    }

    @Test func aStatusGoingBackwardsStillRaisesTheVersion() {
        var tracker = ECSTaskTracker()
        let running = Observation(taskArn: "t", lastStatus: "RUNNING", desiredStatus: "RUNNING")
        tracker.record(running, version: tracker.version(for: running)!)
        let back = Observation(taskArn: "t", lastStatus: "PENDING", desiredStatus: "RUNNING")
        #expect(tracker.version(for: back)! == ECSTaskTracker.lifecycleVersion(lastStatus: "RUNNING", desiredStatus: "RUNNING") + 1)
    }

    @Test func ecsOwnVersionWins() {
        var tracker = ECSTaskTracker()
        let first = Observation(taskArn: "t", lastStatus: "RUNNING", desiredStatus: "RUNNING", ecsVersion: 3)
        #expect(tracker.version(for: first) == 3)
        tracker.record(first, version: 3)
        // Same statuses, new version (a container changed): news.
        let next = Observation(taskArn: "t", lastStatus: "RUNNING", desiredStatus: "RUNNING", ecsVersion: 4)
        #expect(tracker.version(for: next) == 4)
    }

    @Test func tasksNoLongerListedAreForgotten() {
        var tracker = ECSTaskTracker()
        for arn in ["a", "b", "c"] {
            let o = Observation(taskArn: arn, lastStatus: "RUNNING", desiredStatus: "RUNNING")
            tracker.record(o, version: tracker.version(for: o)!)
        }
        tracker.forget(allBut: ["b"])
        #expect(tracker.count == 1)
    }
}
