import FlowAWS
import FlowTestSupport
import Synchronization
import Testing
@testable import FlowEventSources

@Suite struct SpecTests {
    @Test func specsTakenApart() throws {
        func parse(_ s: String, allow: Bool = false) throws -> EventSourceSpec { try EventSourceSpec.parse(s, allowNonLoopback: allow) }
        #expect(try parse("sqs:https://sqs.eu-west-3.amazonaws.com/123456789012/events")
                == .sqs(queueURL: "https://sqs.eu-west-3.amazonaws.com/123456789012/events", region: "eu-west-3"))
        #expect(try parse("sqs:https://eu-west-1.queue.amazonaws.com/1/q") == .sqs(queueURL: "https://eu-west-1.queue.amazonaws.com/1/q", region: "eu-west-1"))
        #expect(try parse("sqs:http://127.0.0.1:5000/123456789012/q") == .sqs(queueURL: "http://127.0.0.1:5000/123456789012/q", region: nil))
        #expect(try parse("ecs:prod/green-app") == .ecs(cluster: "prod", service: "green-app", region: nil))
        #expect(try parse("ecs:arn:aws:ecs:eu-west-1:123456789012:cluster/prod/green")
                == .ecs(cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/prod", service: "green", region: "eu-west-1"))
        #expect(try parse("http:127.0.0.1:0") == .http(host: "127.0.0.1", port: 0))
        #expect(try parse("http:localhost:8080") == .http(host: "localhost", port: 8080))
        #expect(try parse("http:[::1]:9000") == .http(host: "::1", port: 9000))
        #expect(try parse("http:0.0.0.0:80", allow: true) == .http(host: "0.0.0.0", port: 80))
        #expect(try parse("file:events.jsonl") == .file(path: "events.jsonl"))
        #expect(try parse("-") == .standardInput)
    }

    @Test(arguments: ["", "nope", "kafka:topic", "sqs:", "sqs:queue-name", "sqs:https://sqs.eu-west-1.amazonaws.com/q",
                      "ecs:prod", "ecs:/svc", "ecs:arn:aws:s3:::bucket/x", "http:8080", "http:127.0.0.1:99999",
                      "http:127.0.0.1:x", "file:"])
    func badSpecsRefused(spec: String) {
        let error = #expect(throws: EventSourceError.self) { try EventSourceSpec.parse(spec, allowNonLoopback: false) }
        #expect(error?.kind == .badSpec)
        #expect(error?.location == spec)
    }

    @Test func nonLoopbackHostRefusedUnlessAllowed() throws {
        for spec in ["http:0.0.0.0:8080", "http:10.1.2.3:80", "http:[::]:80", "http:example.com:80"] {
            let error = #expect(throws: EventSourceError.self) { try EventSourceSpec.parse(spec, allowNonLoopback: false) }
            #expect(error?.message.contains("127.0.0.1, localhost or ::1") == true)
        }
        // Allowed, a name still is not an address to bind.
        #expect(throws: EventSourceError.self) { try EventSourceSpec.parse("http:example.com:80", allowNonLoopback: true) }
    }

    @Test func parseAsksForAClientInTheSpecsRegion() throws {
        let asked = Mutex<[String?]>([])
        let client = AWSClient(credentialsProvider: StaticCredentials(), resolver: { _ in ("http://127.0.0.1:1", "us-east-1") })
        defer { try? client.httpClient.syncShutdown() }
        let aws: @Sendable (String?) throws -> AWSClient = { region in asked.withLock { $0.append(region) }; return client }
        let options = EventSourceOptions()
        let sqs = try EventSources.parse("sqs:https://sqs.ap-southeast-2.amazonaws.com/123456789012/q", aws: aws, options: options)
        let ecs = try EventSources.parse("ecs:arn:aws:ecs:eu-central-1:123456789012:cluster/c/s", aws: aws, options: options)
        let local = try EventSources.parse("ecs:c/s", aws: aws, options: options)
        #expect(asked.withLock { $0 } == ["ap-southeast-2", "eu-central-1", nil])
        #expect(sqs.description == "sqs:https://sqs.ap-southeast-2.amazonaws.com/123456789012/q")
        #expect(ecs.description == "ecs:arn:aws:ecs:eu-central-1:123456789012:cluster/c/s")
        #expect(local is ECSPollingSource)
        // Sources without AWS never ask.
        #expect(try EventSources.parse("http:127.0.0.1:0", aws: aws, options: options).description == "http:127.0.0.1:0")
        #expect(try EventSources.parse("file:x.jsonl", aws: aws, options: options).description == "file:x.jsonl")
        #expect(try EventSources.parse("-", aws: aws, options: options).description == "-")
        #expect(asked.withLock { $0.count } == 3)
    }

    @Test func optionsOutOfRangeRefused() {
        var options = EventSourceOptions()
        options.longPollWait = .seconds(21)
        #expect(throws: EventSourceError.self) { try options.validate() }
        options = EventSourceOptions()
        options.maxMessages = 11
        #expect(throws: EventSourceError.self) { try options.validate() }
        options = EventSourceOptions()
        options.visibilityTimeout = .milliseconds(500)
        let error = #expect(throws: EventSourceError.self) {
            _ = try EventSources.parse("-", aws: { _ in throw EventSourceError(.badSpec, "unused") }, options: options)
        }
        #expect(error?.kind == .badOption)
    }
}
