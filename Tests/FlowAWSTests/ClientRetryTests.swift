import FlowTestSupport
import Foundation
import Logging
import Synchronization
import Testing
@testable import FlowAWS

/// Records every sleep instead of sleeping.
final class SleepRecorder: Sendable {
    let slept = Mutex<[Duration]>([])
    var all: [Duration] { slept.withLock { $0 } }
    func policy(maxAttempts: Int = 5, perAttemptTimeout: Duration = .seconds(20)) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, perAttemptTimeout: perAttemptTimeout,
                    random: { $0 }, sleep: { [self] d in slept.withLock { $0.append(d) } })
    }
}

extension MotoTests {
    @Suite struct ClientRetry {
        static let throttle = FaultProxy.Fault.respond(
            status: 400, body: #"{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}"#,
            headers: [("Content-Type", "application/x-amz-json-1.0")])

        @Test func retriesFaultsThenSucceeds() async throws {
            let moto = try await MotoServer.shared()
            let proxy = try FaultProxy(upstreamPort: moto.port, script: [
                .respond(status: 503, body: ""), .respond(status: 500, body: "<Error><Code>InternalError</Code></Error>"),
                Self.throttle, .drop,
            ])
            defer { proxy.stop() }
            let sleeps = SleepRecorder()
            try await withClient(moto.client(endpoint: proxy.endpoint, retry: sleeps.policy())) { client in
                let url = try await SQS(client: client).createQueue(name: "retried")
                #expect(url.hasSuffix("/retried"))
            }
            #expect(proxy.requests == 5)
            // random returns its upper bound, so the delays are the formula's ceilings: 0.1 * 2^n.
            #expect(sleeps.all == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        }

        @Test func givesUpWithLastErrorAfterMaxAttempts() async throws {
            let moto = try await MotoServer.shared()
            let proxy = try FaultProxy(upstreamPort: moto.port, script: Array(repeating: Self.throttle, count: 10))
            defer { proxy.stop() }
            let sleeps = SleepRecorder()
            try await withClient(moto.client(endpoint: proxy.endpoint, retry: sleeps.policy(maxAttempts: 3))) { client in
                let error = await #expect(throws: AWSError.self) { try await SQS(client: client).createQueue(name: "q") }
                #expect(error?.code == "ThrottlingException" && error?.attempts == 3)
                #expect(error?.description.hasSuffix("after 3 attempts") == true)
            }
            #expect(proxy.requests == 3 && sleeps.all.count == 2)
        }

        @Test func droppedConnectionsExhaustAttempts() async throws {
            let moto = try await MotoServer.shared()
            let proxy = try FaultProxy(upstreamPort: moto.port, script: Array(repeating: .drop, count: 4))
            defer { proxy.stop() }
            let sleeps = SleepRecorder()
            try await withClient(moto.client(endpoint: proxy.endpoint, retry: sleeps.policy(maxAttempts: 4))) { client in
                let error = await #expect(throws: AWSError.self) { try await SQS(client: client).createQueue(name: "q") }
                #expect(error?.code == "NetworkError" && error?.httpStatus == nil && error?.attempts == 4)
                #expect(error?.description.contains("after 4 attempts") == true)
            }
            #expect(proxy.requests == 4 && sleeps.all.count == 3)
        }

        @Test func totalTimeoutStopsRetries() async throws {
            let moto = try await MotoServer.shared()
            let proxy = try FaultProxy(upstreamPort: moto.port, script: Array(repeating: .respond(status: 503, body: ""), count: 10))
            defer { proxy.stop() }
            // Delays are the ceilings 0.1 s, 0.2 s, 0.4 s: the third retry would end past the 0.25 s budget
            // (elapsed time + next delay), so at most three attempts are made.
            let policy = RetryPolicy(maxAttempts: 10, totalTimeout: .milliseconds(250), random: { $0 }, sleep: { _ in })
            try await withClient(moto.client(endpoint: proxy.endpoint, retry: policy)) { client in
                let error = await #expect(throws: AWSError.self) { try await SQS(client: client).createQueue(name: "q") }
                #expect(error?.code == "HTTP503" && (error?.attempts ?? 0) <= 3)
            }
            #expect(proxy.requests <= 3)
        }

        @Test func clientErrorsAreNotRetried() async throws {
            let moto = try await MotoServer.shared()
            let proxy = try FaultProxy(upstreamPort: moto.port, script: [])
            defer { proxy.stop() }
            try await withClient(moto.client(endpoint: proxy.endpoint)) { client in
                await #expect(throws: AWSError.self) { try await SQS(client: client).getQueueURL(name: "missing") }
            }
            #expect(proxy.requests == 1)
        }

        @Test func slowAttemptTimesOutAndRetries() async throws {
            let moto = try await MotoServer.shared()
            let proxy = try FaultProxy(upstreamPort: moto.port, script: [.delay(.seconds(2))])
            defer { proxy.stop() }
            let sleeps = SleepRecorder()
            try await withClient(moto.client(endpoint: proxy.endpoint, retry: sleeps.policy(perAttemptTimeout: .milliseconds(500)))) {
                _ = try await SQS(client: $0).createQueue(name: "slow")
            }
            #expect(proxy.requests == 2 && sleeps.all.count == 1)
        }

        @Test func logsAndErrorsCarryNoSecrets() async throws {
            let moto = try await MotoServer.shared()
            let proxy = try FaultProxy(upstreamPort: moto.port, script: [Self.throttle, .drop])
            defer { proxy.stop() }
            let capture = LogCapture()
            var logger = Logger(label: "test") { _ in capture }
            logger.logLevel = .trace
            let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET", token = "FwoGZXIvYXdzSESSIONTOKEN"
            let creds = StaticCredentials(value: AWSCredentials(accessKeyID: "testing", secretAccessKey: secret,
                                                                sessionToken: token, source: "test"))
            let client = AWSClient(credentialsProvider: creds, resolver: { _ in (proxy.endpoint, "us-east-1") },
                                   retryPolicy: SleepRecorder().policy(maxAttempts: 2), logger: logger)
            try await withClient(client) { client in
                let error = await #expect(throws: AWSError.self) { try await SQS(client: client).getQueueURL(name: "q") }
                let text = "\(String(describing: error)) \(String(reflecting: error)) " + capture.text
                #expect(!capture.text.isEmpty)
                for needle in [secret, token, "Signature=", "Authorization"] { #expect(!text.contains(needle)) }
            }
        }
    }
}

final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(event.source)") }
    }
}
