import FlowAWS
import FlowEventSources
import FlowTestSupport
import Foundation
import Synchronization
import Testing

/// Against moto (`event-sources`): one server, reset by each test, so one test at a time.
@Suite(.serialized) struct SQSSourceTests {
    struct World {
        var moto: MotoServer
        var client: AWSClient
        var queueURL: String
        var sqs: SQS { SQS(client: client) }

        /// Messages still in the queue: (visible, in flight).
        func counts() async throws -> (visible: Int, inFlight: Int) {
            struct In: Encodable { var QueueUrl: String; var AttributeNames: [String] }
            struct Out: Decodable { var Attributes: [String: String]? }
            let out = try await client.json(.sqs, "GetQueueAttributes", In(QueueUrl: queueURL, AttributeNames: [
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            ]), as: Out.self)
            return (Int(out.Attributes?["ApproximateNumberOfMessages"] ?? "") ?? -1,
                    Int(out.Attributes?["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? -1)
        }

        func isEmpty() async throws -> Bool {
            let counts = try await counts()
            return counts.visible == 0 && counts.inFlight == 0
        }

        /// The delete follows `deliver`'s return: give it (at most) 5 s.
        func becomesEmpty() async throws -> Bool {
            for _ in 0..<100 {
                if try await isEmpty() { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        func source(_ options: EventSourceOptions, client: AWSClient? = nil) throws -> any EventSource {
            let client = client ?? self.client
            return try EventSources.parse("sqs:\(queueURL)", aws: { _ in client }, options: options)
        }
    }

    static func world(_ body: (World) async throws -> Void) async throws {
        let moto = try await MotoServer.shared("event-sources")
        try await withClient(moto.client()) { client in
            let url = try await SQS(client: client).createQueue(name: "ecs-events")
            try await body(World(moto: moto, client: client, queueURL: url))
        }
    }

    static func event(_ n: Int, status: String = "RUNNING") -> String {
        #"{"version":"0","id":"e\#(n)","detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"lastStatus":"\#(status)","version":\#(n)}}"#
    }

    /// An EventBridge rule delivers matching PutEvents to the queue; each arrives as one event.
    @Test func eventsArriveThroughARule() async throws {
        try await Self.world { world in
            let bus = EventBridge(client: world.client)
            let arn = try await world.sqs.getQueueArn(queueURL: world.queueURL)
            try await bus.putRule(name: "ecs-tasks", eventPattern: #"{"source":["aws.ecs"],"detail-type":["ECS Task State Change"]}"#)
            try await bus.putTargets(rule: "ecs-tasks", targets: [(id: "queue", arn: arn)])
            let put = try await bus.putEvents((1...3).map {
                .init(source: "aws.ecs", detailType: "ECS Task State Change", detail: #"{"lastStatus":"RUNNING","version":\#($0)}"#)
            } + [.init(source: "aws.other", detailType: "Other", detail: "{}")])
            #expect(put.FailedEntryCount == 0)

            let run = SourceRun(try world.source(.forTests()))
            #expect(await run.waitFor(3))
            try await Task.sleep(for: .milliseconds(1500))
            #expect(await run.stop()?.error is CancellationError)
            #expect(run.events.count == 3)
            let envelopes = run.bodies.map { object($0) }
            #expect(envelopes.allSatisfy { $0["source"] as? String == "aws.ecs" && $0["detail-type"] as? String == "ECS Task State Change" })
            #expect(Set(envelopes.compactMap { ($0["detail"] as? [String: Any])?["version"] as? Int }) == [1, 2, 3])
            #expect(run.events.allSatisfy { $0.origin.hasPrefix("sqs:\(world.queueURL)#") })
            let left = try await world.counts()
            #expect(left.visible == 0 && left.inFlight == 0)
        }
    }

    /// While `deliver` runs the message is still in the queue (in flight); when it throws, the
    /// message comes back after the visibility timeout and is delivered again; then it is deleted.
    @Test func deletedOnlyAfterDeliverReturns() async throws {
        try await Self.world { world in
            try await world.sqs.sendMessage(queueURL: world.queueURL, body: Self.event(1))
            let seen = Mutex<[(origin: String, at: ContinuousClock.Instant, queued: Int)]>([])
            struct NotRecorded: Error {}
            let run = SourceRun(try world.source(.forTests())) { event, call in
                // The time is taken on entry: the count is an HTTP call, slow on a loaded machine.
                let entered = ContinuousClock.now
                let counts = try await world.counts()
                // Still in the queue: in flight, or visible again if the 2 s ran out during a stall.
                seen.withLock { $0.append((event.origin, entered, counts.inFlight + counts.visible)) }
                if call == 0 { throw NotRecorded() }
            }
            #expect(await run.waitFor(1))
            let calls = seen.withLock { $0 }
            try #require(calls.count == 2)
            #expect(calls.allSatisfy { $0.queued == 1 })
            // Visibility timeout 2 s: not redelivered at once (the first delivery may have started
            // late after its receive on a loaded machine, so the bound is below the 2 s).
            #expect(calls[1].at - calls[0].at > .milliseconds(1000))
            // The same message both times.
            #expect(calls[0].origin == calls[1].origin)
            #expect(try await world.becomesEmpty())
            await run.stop()
        }
    }

    /// A delivery of 5 s under a 2 s visibility timeout: the heartbeat keeps the message hidden
    /// from a second consumer polling meanwhile.
    @Test func visibilityExtendedDuringASlowDelivery() async throws {
        try await Self.world { world in
            try await world.sqs.sendMessage(queueURL: world.queueURL, body: Self.event(1))
            let logs = LogCapture()
            let delivering = Mutex(false)
            let run = SourceRun(try world.source(.forTests(logs))) { _, _ in
                delivering.withLock { $0 = true }
                try await Task.sleep(for: .seconds(5))
            }
            try #require(await run.wait(within: .seconds(10)) { delivering.withLock { $0 } })
            var stolen: [String] = []
            while run.events.isEmpty, stolen.isEmpty {
                stolen += try await world.sqs.receiveMessage(queueURL: world.queueURL, waitSeconds: 0, visibilityTimeout: 30).map(\.Body)
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(stolen.isEmpty)
            #expect(await run.waitFor(1))
            #expect(logs.count("visibility extended") >= 3)
            #expect(try await world.becomesEmpty())
            await run.stop()
        }
    }

    /// EventBridge -> SNS -> SQS wraps the event; bodies that are no event at all are reported
    /// and, unless the callback says delete, left for the queue's redrive policy.
    @Test func snsWrappedAndPoisonMessages() async throws {
        try await Self.world { world in
            let inner = Self.event(7)
            let sns = try String(decoding: JSONSerialization.data(withJSONObject: [
                "Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:ecs", "Message": inner,
            ]), as: UTF8.self)
            for body in ["hello, not json", sns, "[1, 2]"] { try await world.sqs.sendMessage(queueURL: world.queueURL, body: body) }
            let reports = Mutex<[PoisonMessage]>([])
            var options = EventSourceOptions.forTests()
            options.poison = { report in
                reports.withLock { $0.append(report) }
                return report.body.hasPrefix("[") ? .delete : .leave
            }
            let run = SourceRun(try world.source(options))
            #expect(await run.wait { run.events.count == 1 && reports.withLock { $0.count } == 2 })
            await run.stop()
            #expect(run.bodies == [inner])
            let poison = reports.withLock { $0 }.sorted { $0.body < $1.body }
            #expect(poison.map(\.reason) == ["the body is a JSON array, not an object", "the body is not valid JSON"])
            #expect(poison.allSatisfy { $0.receiveCount == 1 && $0.queueURL == world.queueURL })
            // "[1, 2]" deleted on request, "hello" left: it is still there.
            let left = try await world.counts()
            #expect(left.visible + left.inFlight == 1)
        }
    }

    /// ReceiveMessage throttled three times in a row, with a client that does not retry itself:
    /// the source backs off, logs, and goes on.
    @Test func throttlingRetried() async throws {
        try await Self.world { world in
            try await world.sqs.sendMessage(queueURL: world.queueURL, body: Self.event(1))
            let throttle = FaultProxy.Fault.respond(
                status: 400, body: #"{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}"#,
                headers: [("Content-Type", "application/x-amz-json-1.0")])
            let proxy = try FaultProxy(upstreamPort: world.moto.port, script: [throttle, throttle, throttle])
            defer { proxy.stop() }
            let logs = LogCapture()
            try await withClient(world.moto.client(endpoint: proxy.endpoint, retry: RetryPolicy(maxAttempts: 1))) { throttled in
                let run = SourceRun(try world.source(.forTests(logs), client: throttled))
                #expect(await run.waitFor(1))
                await run.stop()
                #expect(run.bodies == [Self.event(1)])
            }
            #expect(proxy.requests >= 4)
            #expect(logs.count("retrying") == 3)
            #expect(logs.all.contains { $0.contains("ThrottlingException") })
        }
    }

    @Test func missingQueueIsFatal() async throws {
        try await Self.world { world in
            let url = world.queueURL.replacingOccurrences(of: "ecs-events", with: "no-such-queue")
            let client = world.client
            let source = try EventSources.parse("sqs:\(url)", aws: { _ in client }, options: .forTests())
            let error = await SourceRun(source).end(within: .seconds(10))?.error as? AWSError
            #expect(error?.code == "QueueDoesNotExist")
        }
    }

    /// Cancelled with undelivered messages of a batch: they are made visible again at once.
    @Test func stoppingReleasesTheRestOfTheBatch() async throws {
        try await Self.world { world in
            for n in 1...3 { try await world.sqs.sendMessage(queueURL: world.queueURL, body: Self.event(n)) }
            var options = EventSourceOptions.forTests()
            options.visibilityTimeout = .seconds(60)
            let first = Mutex(false)
            let run = SourceRun(try world.source(options)) { _, call in
                if call == 0 { first.withLock { $0 = true }; try await Task.sleep(for: .seconds(30)) }
            }
            try #require(await run.wait(within: .seconds(10)) { first.withLock { $0 } })
            await run.stop()
            // Not delivered (the first was cancelled mid-way): all three visible now, not in 60 s.
            let visible = try await world.sqs.receiveMessage(queueURL: world.queueURL, maxMessages: 10, waitSeconds: 1)
            #expect(visible.count == 3)
        }
    }
}
