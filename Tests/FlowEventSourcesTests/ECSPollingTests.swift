import FlowAWS
import FlowEventSources
import FlowTestSupport
import Foundation
import Synchronization
import Testing

/// Against the strict fixture (`event-sources-ecs`): tasks stay RUNNING until a test changes
/// them, and ListTasks honours serviceName (moto alone does neither). One test at a time.
@Suite(.serialized) struct ECSPollingTests {
    static func world(_ body: (FixtureServer, FixtureSeed, AWSClient) async throws -> Void) async throws {
        let fixture = try await FixtureServer.shared("event-sources-ecs")
        let seed = try await fixture.seed(tasksPerService: 2)
        try await withClient(fixture.client()) { client in try await body(fixture, seed, client) }
    }

    static func source(_ seed: FixtureSeed, service: String = "green", client: AWSClient,
                       _ options: EventSourceOptions = .forTests()) throws -> any EventSource {
        try EventSources.parse("ecs:\(seed.cluster)/\(service)", aws: { _ in client }, options: options)
    }

    /// The detail of an event, and the fields the tests compare.
    struct Seen {
        var envelope: [String: Any]
        var detail: [String: Any] { envelope["detail"] as? [String: Any] ?? [:] }
        var task: String { detail["taskArn"] as? String ?? "" }
        var lastStatus: String { detail["lastStatus"] as? String ?? "" }
        var desiredStatus: String { detail["desiredStatus"] as? String ?? "" }
        var version: Int { detail["version"] as? Int ?? -1 }
        init(_ event: IncomingEvent) { envelope = object(event.body) }
    }

    /// New tasks, then nothing while nothing changes, then the one task that changed, its version higher.
    @Test func eventsForNewAndChangedTasksOnly() async throws {
        try await Self.world { fixture, seed, client in
            let run = SourceRun(try Self.source(seed, client: client))
            #expect(await run.waitFor(2))
            // Five polls or so with nothing new.
            try await Task.sleep(for: .seconds(1))
            #expect(run.events.count == 2)
            let first = run.events.map(Seen.init)
            #expect(Set(first.map(\.task)) == Set(seed.green.taskArns))
            #expect(first.allSatisfy { $0.lastStatus == "RUNNING" && $0.desiredStatus == "RUNNING" })
            #expect(run.events.allSatisfy { $0.origin == "ecs:\(seed.cluster)/green" })

            let stopped = seed.green.taskArns[0]
            try await fixture.setTaskStatus(task: stopped, lastStatus: "STOPPED", reason: "test")
            #expect(await run.waitFor(3))
            try await Task.sleep(for: .milliseconds(600))
            await run.stop()
            #expect(run.events.count == 3)
            let change = Seen(run.events[2])
            #expect(change.task == stopped)
            #expect(change.lastStatus == "STOPPED" && change.desiredStatus == "STOPPED")
            let before = try #require(first.first { $0.task == stopped })
            #expect(change.version > before.version)
        }
    }

    /// The envelope carries what ECS's own event does (see ECSTaskEventTests for the full shape).
    @Test func envelopeShape() async throws {
        try await Self.world { _, seed, client in
            let run = SourceRun(try Self.source(seed, client: client))
            #expect(await run.waitFor(1))
            await run.stop()
            let seen = try Seen(#require(run.events.first))
            let e = seen.envelope
            #expect(e["version"] as? String == "0" && e["source"] as? String == "aws.ecs")
            #expect(e["detail-type"] as? String == "ECS Task State Change")
            #expect(UUID(uuidString: e["id"] as? String ?? "") != nil)
            #expect(e["account"] as? String == "123456789012" && e["region"] as? String == "us-east-1")
            #expect(e["resources"] as? [String] == [seen.task])
            #expect((e["time"] as? String).flatMap { try? Date.ISO8601FormatStyle().parse($0) } != nil)
            let d = seen.detail
            #expect(d["clusterArn"] as? String == seed.clusterArn)
            #expect(d["taskDefinitionArn"] as? String == seed.green.taskDefinitionArn)
            #expect(d["group"] as? String == "service:green")
            #expect(d["updatedAt"] is String)
            let container = try #require((d["containers"] as? [[String: Any]])?.first)
            #expect(container["name"] as? String == seed.green.container)
            #expect(container["lastStatus"] as? String == "RUNNING")
            #expect((container["containerArn"] as? String)?.hasPrefix("arn:aws:ecs:") == true)
        }
    }

    /// One change seen both ways: the fixture's event on the default bus (through a rule to SQS,
    /// read by the SQS source) and the poller's synthesised one agree on what patterns match.
    @Test func pollerAgreesWithTheBus() async throws {
        try await Self.world { fixture, seed, client in
            let sqs = SQS(client: client), bus = EventBridge(client: client)
            let url = try await sqs.createQueue(name: "ecs-stopped")
            try await bus.putRule(name: "stopped", eventPattern:
                #"{"source":["aws.ecs"],"detail-type":["ECS Task State Change"],"detail":{"lastStatus":["STOPPED"],"group":["service:green"]}}"#)
            try await bus.putTargets(rule: "stopped", targets: [(id: "queue", arn: try await sqs.getQueueArn(queueURL: url))])
            let poller = SourceRun(try Self.source(seed, client: client))
            #expect(await poller.waitFor(2))
            try await fixture.setTaskStatus(task: seed.green.taskArns[1], lastStatus: "STOPPED", reason: "test")
            #expect(await poller.waitFor(3))
            await poller.stop()
            let queue = SourceRun(try EventSources.parse("sqs:\(url)", aws: { _ in client }, options: .forTests()))
            #expect(await queue.waitFor(1))
            await queue.stop()
            let fromBus = try Seen(#require(queue.events.first)), polled = try Seen(#require(poller.events.last))
            // moto's EventBridge leaves `account` out of what it delivers; the poller has it from the ARN.
            #expect(polled.envelope["account"] as? String == "123456789012")
            for key in ["source", "detail-type", "region"] {
                #expect(fromBus.envelope[key] as? String == polled.envelope[key] as? String, "\(key)")
            }
            #expect(fromBus.envelope["resources"] as? [String] == polled.envelope["resources"] as? [String])
            for key in ["taskArn", "lastStatus", "desiredStatus", "group", "clusterArn", "taskDefinitionArn", "launchType", "stoppedReason"] {
                #expect(fromBus.detail[key] as? String == polled.detail[key] as? String, "\(key)")
            }
            let names = { (s: Seen) in (s.detail["containers"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["lastStatus"] ?? "")" } }
            #expect(names(fromBus) == names(polled))
            #expect((fromBus.detail["attachments"] as? [[String: Any]])?.first?["type"] as? String == "eni")
            #expect((polled.detail["attachments"] as? [[String: Any]])?.first?["type"] as? String == "eni")
        }
    }

    /// An event the consumer failed to record is offered again at the next poll, with the same version.
    @Test func failedDeliveryOfferedAgain() async throws {
        try await Self.world { _, seed, client in
            struct NotRecorded: Error {}
            let attempts = Mutex<[IncomingEvent]>([])
            let run = SourceRun(try Self.source(seed, client: client)) { event, call in
                attempts.withLock { $0.append(event) }
                if call == 0 { throw NotRecorded() }
            }
            #expect(await run.waitFor(2))
            await run.stop()
            let failed = try Seen(#require(attempts.withLock { $0.first }))
            let again = run.events.map(Seen.init).first { $0.task == failed.task }
            #expect(again?.version == failed.version)
            #expect(run.events.count == 2)
        }
    }

    /// ListTasks throttled three times, with a client that does not retry itself.
    @Test func throttlingRetried() async throws {
        try await Self.world { fixture, seed, _ in
            try await fixture.injectFault(service: "ecs", operation: "ListTasks", count: 3)
            let logs = LogCapture()
            try await withClient(fixture.client(retry: RetryPolicy(maxAttempts: 1))) { client in
                let run = SourceRun(try Self.source(seed, client: client, .forTests(logs)))
                #expect(await run.waitFor(2))
                await run.stop()
            }
            #expect(logs.count("retrying") == 3)
        }
    }

    @Test func unknownClusterIsFatal() async throws {
        try await Self.world { _, _, client in
            let source = try EventSources.parse("ecs:no-such-cluster/green", aws: { _ in client }, options: .forTests())
            let error = await SourceRun(source).end(within: .seconds(10))?.error as? AWSError
            #expect(error?.code == "ClusterNotFoundException")
        }
    }
}
