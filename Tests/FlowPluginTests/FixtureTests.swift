import AsyncHTTPClient
import FlowAWS
import FlowTestSupport
import Foundation
import Testing

/// The strict AWS fixture itself (scripts/fixture), driven through FlowAWS as the plugins use it:
/// one fixture for the suite, reset by `FixtureServer.shared` before every test.
@Suite(.serialized) struct FixtureTests {
    static func fixture() async throws -> FixtureServer {
        try await FixtureServer.shared("FixtureTests", apps: true, pendingSeconds: 0.3)
    }

    /// One attempt, so a fault surfaces as the error it was answered with.
    static let once = RetryPolicy(maxAttempts: 1, perAttemptTimeout: .seconds(10), totalTimeout: .seconds(10))

    static func weighted(_ seed: FixtureSeed, _ side: FixtureSeed.Side, _ weight: Int) -> Route53.RecordSet {
        .init(name: seed.record, type: "A", setIdentifier: side.set, weight: weight,
              aliasTarget: .init(hostedZoneID: side.albZoneID, dnsName: side.albDNS, evaluateTargetHealth: true))
    }

    static func weights(_ r53: Route53, _ zoneID: String) async throws -> [String: Int] {
        let records = try await r53.listResourceRecordSets(zoneID: zoneID)
        return Dictionary(uniqueKeysWithValues: records.compactMap { r in r.setIdentifier.map { ($0, r.weight ?? -1) } })
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Runs `body` with the suite's fixture, what `seeding` made in it (the default world unless
    /// given), and a one-attempt client.
    static func seeded(_ seeding: (FixtureServer) async throws -> FixtureSeed = { try await $0.seed() },
                       _ body: (FixtureServer, FixtureSeed, AWSClient) async throws -> Void) async throws {
        let fixture = try await Self.fixture()
        let seed = try await seeding(fixture)
        try await withClient(fixture.client(retry: Self.once)) { client in try await body(fixture, seed, client) }
    }

    /// The error a change batch to the seeded zone was rejected with (a test issue if it was not).
    static func rejection(_ r53: Route53, _ seed: FixtureSeed, _ changes: [(Route53.Action, Route53.RecordSet)],
                          sourceLocation: SourceLocation = #_sourceLocation) async -> AWSError? {
        await #expect(throws: AWSError.self, sourceLocation: sourceLocation) {
            try await r53.changeResourceRecordSets(zoneID: seed.zoneID, changes: changes)
        }
    }

    // MARK: Route53

    @Test func weightAboveRangeRejectsTheWholeBatch() async throws {
        // Spelled out: every `try` in this body is inside an #expect, which hides it from inference.
        try await Self.seeded { (_, seed, client) async throws in
            let r53 = Route53(client: client)
            let error = await Self.rejection(r53, seed, [
                (.upsert, Self.weighted(seed, seed.blue, 50)), (.upsert, Self.weighted(seed, seed.green, 256)),
            ])
            #expect(error?.code == "InvalidInput" && error?.httpStatus == 400)
            #expect(error?.message.contains("less than or equal to 255") == true)
            #expect(error?.message.contains("changeBatch.changes.2.member.resourceRecordSet.weight") == true)
            // The valid first change was not applied.
            #expect(try await Self.weights(r53, seed.zoneID) == ["blue": 100, "green": 0])
        }
    }

    @Test func createOfAnExistingSetIsAnAtomicInvalidChangeBatch() async throws {
        try await Self.seeded { fixture, seed, client in
            let r53 = Route53(client: client)
            let error = await Self.rejection(r53, seed, [
                (.upsert, Self.weighted(seed, seed.blue, 90)), (.create, Self.weighted(seed, seed.green, 10)),
            ])
            #expect(error?.code == "InvalidChangeBatch" && error?.httpStatus == 400)
            #expect(error?.message == "Tried to create resource record set [name='app.example.com.', type='A', "
                + "set-identifier='green'] but it already exists")
            #expect(try await Self.weights(r53, seed.zoneID) == ["blue": 100, "green": 0])

            let log = try await fixture.requests(service: "route53", operation: "ChangeResourceRecordSets")
            #expect(log.count == 1 && log.first?.status == 400 && log.first?.error == "InvalidChangeBatch")
            #expect(log.first?.changes?.map(\.weight) == [90, 10])
        }
    }

    @Test func deleteMustMatchTheCurrentValues() async throws {
        try await Self.seeded { _, seed, client in
            let r53 = Route53(client: client)
            let wrong = await Self.rejection(r53, seed, [(.delete, Self.weighted(seed, seed.green, 7))])
            #expect(wrong?.code == "InvalidChangeBatch")
            #expect(wrong?.message.contains("but the values provided do not match the current values") == true)
            var other = Self.weighted(seed, seed.green, 0)
            other.setIdentifier = "purple"
            let missing = await Self.rejection(r53, seed, [(.delete, other)])
            #expect(missing?.message.contains("set-identifier='purple'] but it was not found") == true)
            var record = Self.weighted(seed, seed.green, 5)
            record.setIdentifier = nil
            let unweighted = await Self.rejection(r53, seed, [(.upsert, record)])
            #expect(unweighted?.code == "InvalidInput" && unweighted?.message.contains("Missing field 'SetIdentifier'") == true)

            // An exact DELETE and a CREATE of the same set in one batch: replaced, and only that set.
            _ = try await r53.changeResourceRecordSets(zoneID: seed.zoneID, changes: [
                (.delete, Self.weighted(seed, seed.green, 0)), (.create, Self.weighted(seed, seed.green, 30)),
            ])
            #expect(try await Self.weights(r53, seed.zoneID) == ["blue": 100, "green": 30])
        }
    }

    @Test func changesArePendingThenInSync() async throws {
        try await Self.seeded { fixture, seed, client in
            try await fixture.setPendingSeconds(1.0)
            let r53 = Route53(client: client)
            let change = try await r53.changeResourceRecordSets(zoneID: seed.zoneID, changes: [
                (.upsert, Self.weighted(seed, seed.blue, 90)), (.upsert, Self.weighted(seed, seed.green, 10)),
            ])
            #expect(change.status == "PENDING" && change.id.hasPrefix("C"))
            #expect(try await r53.getChange(id: change.id).status == "PENDING")
            #expect(try await r53.getChange(id: "/change/" + change.id).id == change.id)
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await r53.getChange(id: change.id).status == "INSYNC")
            #expect(try await Self.weights(r53, seed.zoneID) == ["blue": 90, "green": 10])

            let unknown = await #expect(throws: AWSError.self) { try await r53.getChange(id: "CNOSUCHCHANGE") }
            #expect(unknown?.code == "NoSuchChange" && unknown?.httpStatus == 404)

            let changes = try await fixture.requests(service: "route53", operation: "ChangeResourceRecordSets")
            #expect(changes.count == 1 && changes.first?.changeID == change.id)
            #expect(changes.first?.changes?.map { "\($0.setIdentifier ?? "")=\($0.weight ?? -1)" } == ["blue=90", "green=10"])
        }
    }

    // MARK: ELBv2 target health

    @Test func targetHealthOverrides() async throws {
        try await Self.seeded { fixture, seed, client in
            try await fixture.linkTargetHealth(targetGroupArn: seed.green.tgArn, url: nil)
            let elb = ELBv2(client: client)
            #expect(try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn).map(\.state) == ["healthy", "healthy"])

            try await fixture.setTargetHealth(targetGroupArn: seed.green.tgArn, state: "unhealthy",
                                              reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [502]")
            let sick = try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn)
            #expect(sick.map(\.state) == ["unhealthy", "unhealthy"])
            #expect(sick.first?.reason == "Target.ResponseCodeMismatch" && sick.first?.description?.contains("[502]") == true)
            #expect(Set(sick.map(\.id)) == Set(seed.green.targets))

            // A per-target override wins over the group's; the other group is untouched.
            try await fixture.setTargetHealth(targetGroupArn: seed.green.tgArn, state: "draining", targetID: seed.green.targets[0])
            let mixed = try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn)
            #expect(mixed.first { $0.id == seed.green.targets[0] }?.state == "draining")
            #expect(mixed.first { $0.id == seed.green.targets[0] }?.reason == "Target.DeregistrationInProgress")
            #expect(mixed.first { $0.id == seed.green.targets[1] }?.state == "unhealthy")
            #expect(try await elb.describeTargetHealth(targetGroupArn: seed.blue.tgArn).allSatisfy { $0.state == "healthy" })

            try await fixture.setTargetHealth(targetGroupArn: seed.green.tgArn, state: nil)
            try await fixture.setTargetHealth(targetGroupArn: seed.green.tgArn, state: nil, targetID: seed.green.targets[0])
            #expect(try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn).allSatisfy { $0.state == "healthy" })
        }
    }

    @Test func targetHealthFollowsTheLinkedApp() async throws {
        try await Self.seeded { fixture, seed, client in  // with apps, each group is linked to its app's /health
            let elb = ELBv2(client: client)
            #expect(try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn).allSatisfy { $0.state == "healthy" })
            try await fixture.setApp(name: "green", status: 500)
            let failing = try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn)
            #expect(failing.allSatisfy { $0.state == "unhealthy" && $0.reason == "Target.ResponseCodeMismatch" })
            #expect(failing.first?.description == "Health checks failed with these codes: [500]")
            #expect(try await elb.describeTargetHealth(targetGroupArn: seed.blue.tgArn).allSatisfy { $0.state == "healthy" })

            try await fixture.setApp(name: "green", status: 200, latencyMs: 1_500)
            let slow = try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn)
            #expect(slow.allSatisfy { $0.state == "unhealthy" && $0.reason == "Target.Timeout" })

            // Linked to any URL: a local server standing in for a real health endpoint.
            let server = try LocalHTTPServer { _ in .ok("fine") }
            defer { server.stop() }
            try await fixture.linkTargetHealth(targetGroupArn: seed.green.tgArn, url: server.baseURL + "/health")
            #expect(try await elb.describeTargetHealth(targetGroupArn: seed.green.tgArn).allSatisfy { $0.state == "healthy" })
        }
    }

    // MARK: Faults

    @Test func throttlingIsAnsweredInEachProtocolsShape() async throws {
        try await Self.seeded { fixture, seed, client in
            try await fixture.injectFault(service: "route53", operation: "ListResourceRecordSets")
            let r53 = await #expect(throws: AWSError.self) {
                try await Route53(client: client).listResourceRecordSets(zoneID: seed.zoneID)
            }
            #expect(r53?.code == "Throttling" && r53?.httpStatus == 400 && r53?.message == "Rate exceeded" && r53?.isRetryable == true)

            try await fixture.injectFault(service: "ecs", operation: "ListTasks")
            let ecs = await #expect(throws: AWSError.self) { try await ECS(client: client).listTasks(cluster: seed.cluster) }
            #expect(ecs?.code == "ThrottlingException" && ecs?.httpStatus == 400 && ecs?.message == "Rate exceeded")

            try await fixture.injectFault(service: "elbv2")
            let elb = await #expect(throws: AWSError.self) {
                try await ELBv2(client: client).describeTargetGroups(arns: [seed.green.tgArn])
            }
            #expect(elb?.code == "Throttling" && elb?.httpStatus == 400 && elb?.requestID != nil)

            try await fixture.injectFault(service: "cloudwatch", status: 503, code: "ServiceUnavailable", message: "try later")
            let cw = await #expect(throws: AWSError.self) { try await CloudWatch(client: client).describeAlarms() }
            #expect(cw?.code == "ServiceUnavailable" && cw?.httpStatus == 503 && cw?.message == "try later")

            // Each fault was used up: the same calls now succeed.
            #expect(try await ECS(client: client).listTasks(cluster: seed.cluster).count == 4)
            #expect(try await ELBv2(client: client).describeTargetGroups(arns: [seed.green.tgArn]).count == 1)

            // With retries, two throttles are absorbed; the log shows all three attempts.
            try await withClient(fixture.client(retry: RetryPolicy(maxAttempts: 3, base: .milliseconds(5)))) { retrying in
                try await fixture.injectFault(service: "ecs", operation: "DescribeServices", count: 2)
                let (services, _) = try await ECS(client: retrying).describeServices(cluster: seed.cluster, services: ["green"])
                #expect(services.first?.runningCount == 2)
                let log = try await fixture.requests(service: "ecs", operation: "DescribeServices")
                #expect(log.map { $0.status ?? 0 } == [400, 400, 200])
                #expect(log.compactMap(\.fault).count == 2)
            }
        }
    }

    @Test func droppedConnectionsAndDelays() async throws {
        try await Self.seeded { fixture, seed, client in
            try await fixture.injectFault(service: "ecs", operation: "DescribeTasks", drop: true)
            let dropped = await #expect(throws: AWSError.self) {
                try await ECS(client: client).describeTasks(cluster: seed.cluster, tasks: seed.green.taskArns)
            }
            #expect(dropped?.httpStatus == nil && dropped?.isRetryable == true)

            try await fixture.injectFault(service: "ecs", operation: "DescribeTasks", delayMs: 400)
            let clock = ContinuousClock()
            let started = clock.now
            let (tasks, _) = try await ECS(client: client).describeTasks(cluster: seed.cluster, tasks: seed.green.taskArns)
            #expect(clock.now - started >= .milliseconds(400) && tasks.count == 2)
            let log = try await fixture.requests(service: "ecs", operation: "DescribeTasks")
            #expect(log.map(\.status) == [nil, 200])
        }
    }

    // MARK: ECS

    @Test func listTasksHonoursServiceNameAndTasksStayRunning() async throws {
        try await Self.seeded({ try await $0.seed(tasksPerService: 2) }) { _, seed, client in
            let ecs = ECS(client: client)
            let green = try await ecs.listTasks(cluster: seed.cluster, serviceName: "green")
            #expect(Set(green) == Set(seed.green.taskArns) && green.count == 2)
            #expect(Set(try await ecs.listTasks(cluster: seed.cluster, serviceName: "blue")) == Set(seed.blue.taskArns))
            #expect(try await ecs.listTasks(cluster: seed.cluster).count == 4)
            #expect(try await ecs.listTasks(cluster: seed.cluster, serviceName: "purple").isEmpty)
            // moto would move them towards STOPPED on every DescribeTasks.
            for _ in 0..<3 {
                let (tasks, _) = try await ecs.describeTasks(cluster: seed.cluster, tasks: green)
                #expect(tasks.allSatisfy { $0.lastStatus == "RUNNING" && $0.desiredStatus == "RUNNING" && $0.group == "service:green" })
                #expect(tasks.allSatisfy { $0.containers?.first?.name == "green" && $0.containers?.first?.lastStatus == "RUNNING" })
            }
            let (services, _) = try await ecs.describeServices(cluster: seed.cluster, services: ["blue", "green"])
            #expect(services.map(\.runningCount) == [2, 2] && services.map(\.desiredCount) == [2, 2])
        }
    }

    @Test func taskStatusCanBeSetAndScheduled() async throws {
        try await Self.seeded({ try await $0.seed(tasksPerService: 1) }) { fixture, seed, client in
            let task = try #require(seed.green.taskArns.first)
            let ecs = ECS(client: client)
            try await fixture.setTaskStatus(task: task, lastStatus: "PENDING")
            try await fixture.setTaskStatus(task: task, lastStatus: "RUNNING", afterSeconds: 1.0)
            #expect(try await ecs.describeTasks(cluster: seed.cluster, tasks: [task]).tasks.first?.lastStatus == "PENDING")
            #expect(try await ecs.describeServices(cluster: seed.cluster, services: ["green"]).services.first?.pendingCount == 1)
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await ecs.describeTasks(cluster: seed.cluster, tasks: [task]).tasks.first?.lastStatus == "RUNNING")

            try await fixture.setTaskStatus(task: task, lastStatus: "STOPPED", reason: "Essential container in task exited")
            let stopped = try #require(try await ecs.describeTasks(cluster: seed.cluster, tasks: [task]).tasks.first)
            #expect(stopped.lastStatus == "STOPPED" && stopped.desiredStatus == "STOPPED")
            // Real ListTasks lists desired RUNNING unless asked otherwise.
            #expect(try await ecs.listTasks(cluster: seed.cluster, serviceName: "green").isEmpty)
            #expect(try await ecs.listTasks(cluster: seed.cluster, serviceName: "green", desiredStatus: "STOPPED") == [task])
        }
    }

    @Test func taskStateChangesReachTheBusAsECSEvents() async throws {
        let fixture = try await Self.fixture()
        try await withClient(fixture.client(region: "eu-west-1", retry: Self.once)) { (client: AWSClient) async throws in
            let sqs = SQS(client: client), bus = EventBridge(client: client)
            let queue = try await sqs.createQueue(name: "ecs-events")
            _ = try await bus.putRule(name: "green-running", eventPattern: #"""
                {"source": ["aws.ecs"], "detail-type": ["ECS Task State Change"],
                 "detail": {"lastStatus": ["RUNNING"], "desiredStatus": ["RUNNING"], "group": ["service:green"]}}
                """#)
            try await bus.putTargets(rule: "green-running", targets: [("q", try await sqs.getQueueArn(queueURL: queue))])

            let seed = try await fixture.seed(region: "eu-west-1", tasksPerService: 1)
            let task = try #require(seed.green.taskArns.first)
            try await fixture.setTaskStatus(task: task, lastStatus: "PENDING")
            try await fixture.setTaskStatus(task: task, lastStatus: "RUNNING")
            let messages = try await sqs.receiveMessage(queueURL: queue, maxMessages: 10)
            let details = try messages.map { message -> [String: Any] in
                let event = try #require(try JSONSerialization.jsonObject(with: Data(message.Body.utf8)) as? [String: Any])
                #expect(event["source"] as? String == "aws.ecs" && event["detail-type"] as? String == "ECS Task State Change")
                return try #require(event["detail"] as? [String: Any])
            }
            // Blue's and the PENDING event did not match; green's RUNNING came twice, the newer with a higher version.
            #expect(details.map { $0["taskArn"] as? String } == [task, task])
            #expect(details.compactMap { $0["version"] as? Int }.sorted() == [1, 3])
            let containers = try #require(details.first?["containers"] as? [[String: Any]])
            #expect(containers.first?["name"] as? String == "green" && containers.first?["lastStatus"] as? String == "RUNNING")
        }
    }

    // MARK: Seed

    @Test(arguments: ["us-east-1", "eu-west-1"])
    func seedReturnsIDsThatResolve(region: String) async throws {
        let fixture = try await Self.fixture()
        let seed = try await fixture.seed(region: region)
        #expect(seed.region == region && seed.record == "app.example.com." && seed.zoneName == "example.com.")
        #expect(seed.blue.tgArn.contains(":\(region):") && seed.green.taskDefinition == "green:1")
        try await withClient(fixture.client(region: region, retry: Self.once)) { (client: AWSClient) async throws in
            let elb = ELBv2(client: client)
            let groups = try await elb.describeTargetGroups(arns: [seed.blue.tgArn, seed.green.tgArn])
            #expect(groups.map(\.name) == ["blue", "green"])
            #expect(groups.first { $0.name == "green" }?.loadBalancerArns == [seed.green.albArn])
            let albs = try await elb.describeLoadBalancers(arns: [seed.green.albArn])
            #expect(albs.first?.dnsName == seed.green.albDNS && albs.first?.canonicalHostedZoneID == seed.green.albZoneID)

            let records = try await Route53(client: client).listResourceRecordSets(zoneID: seed.zoneID)
            let weighted = records.filter { $0.setIdentifier != nil }
            #expect(weighted.map { "\($0.setIdentifier!)=\($0.weight ?? -1)" }.sorted() == ["blue=100", "green=0"])
            #expect(weighted.first { $0.setIdentifier == "green" }?.aliasTarget?.dnsName.hasPrefix(seed.green.albDNS.lowercased()) == true)
            #expect(weighted.allSatisfy { $0.type == "A" && $0.ttl == nil })

            let ecs = ECS(client: client)
            let (services, failures) = try await ecs.describeServices(cluster: seed.cluster, services: ["blue", "green"])
            #expect(failures.isEmpty && services.map(\.taskDefinition) == [seed.blue.taskDefinitionArn, seed.green.taskDefinitionArn])
            #expect(try await ecs.describeTaskDefinition("green:1").containerDefinitions.first?.name == "green")

            let alarms = try await CloudWatch(client: client).describeAlarms(names: seed.alarms)
            #expect(alarms.map(\.name) == ["green-5xx"] && alarms.first?.state == "OK")
            #expect(alarms.first?.metricName == "HTTPCode_Target_5XX_Count" && alarms.first?.namespace == "AWS/ApplicationELB")
            try await fixture.setAlarmState(name: "green-5xx", state: "ALARM", region: region)
            #expect(try await CloudWatch(client: client).describeAlarms(names: seed.alarms).first?.state == "ALARM")
        }
        // Seeding is not part of the request log; Route53 is signed for us-east-1 whatever the region.
        let log = try await fixture.requests()
        #expect(!log.isEmpty && log.allSatisfy { $0.service != "ec2" })
        #expect(log.allSatisfy { $0.region == ($0.service == "route53" ? "us-east-1" : region) })
    }

    @Test func seedWithCNAMERecords() async throws {
        try await Self.seeded({
            try await $0.seed(zone: "example.org", record: "www.example.org", recordType: "cname",
                              weights: (blue: 255, green: 1), cluster: "shop", tasksPerService: 1)
        }) { _, seed, client in
            let records = try await Route53(client: client).listResourceRecordSets(zoneID: seed.zoneID)
            let green = try #require(records.first { $0.setIdentifier == "green" })
            #expect(green.type == "CNAME" && green.ttl == 60 && green.values == [seed.green.albDNS] && green.weight == 1)
            #expect(records.first { $0.setIdentifier == "blue" }?.weight == 255)
            #expect(try await ECS(client: client).listTasks(cluster: "shop", serviceName: "blue").count == 1)
        }
    }

    // MARK: Apps and control

    @Test func appsAnswerAndCanBeMadeToFail() async throws {
        let fixture = try await Self.fixture()
        let blue = try #require(fixture.appURLs["blue"]), green = try #require(fixture.appURLs["green"])
        #expect(try await Self.get(blue + "/") == (200, "blue"))
        #expect(try await Self.get(green + "/") == (200, "green"))
        #expect(try await Self.get(green + "/health") == (200, "ok"))

        try await fixture.setApp(name: "green", status: 503)
        #expect(try await Self.get(green + "/").status == 503)
        #expect(try await Self.get(green + "/health").status == 503)
        #expect(try await Self.get(blue + "/health") == (200, "ok"))

        try await fixture.setApp(name: "green", failAfter: 2)
        #expect(try await Self.get(green + "/").status == 200)
        #expect(try await Self.get(green + "/health").status == 200)
        #expect(try await Self.get(green + "/").status == 503)

        try await fixture.reset()
        #expect(try await Self.get(green + "/") == (200, "green"))
    }

    @Test func controlRejectsBadInputClearly() async throws {
        let fixture = try await Self.fixture()
        let unknown = await #expect(throws: FixtureError.self) {
            try await fixture.control("POST", "/_fixture/faults", json: ["service": "ecs", "cuont": 2])
        }
        #expect(unknown?.description.contains("unknown key(s) ['cuont']") == true)
        await #expect(throws: FixtureError.self) { try await fixture.setPendingSeconds(-1) }
        await #expect(throws: FixtureError.self) { try await fixture.setApp(name: "purple", status: 500) }
        await #expect(throws: FixtureError.self) {
            try await fixture.setTargetHealth(targetGroupArn: "arn:x", state: "sick")
        }
        await #expect(throws: FixtureError.self) { _ = try await fixture.seed(weights: (blue: 100, green: 300)) }
        #expect(try await fixture.requests().isEmpty)
    }
}
