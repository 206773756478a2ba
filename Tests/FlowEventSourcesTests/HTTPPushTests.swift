import FlowEventSources
import Foundation
import Synchronization
import Testing

@Suite struct HTTPPushTests {
    static let event = #"{"version":"0","id":"1","detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"lastStatus":"RUNNING","version":2}}"#

    /// A listener on a free port of 127.0.0.1 (`http:127.0.0.1:0`), the port as `ready` told it.
    struct Listener {
        var run: SourceRun
        var port: Int
        var logs: LogCapture
    }

    static func listen(_ spec: String = "http:127.0.0.1:0", maxBody: Int = 1024, deliver: @escaping SourceRun.Deliver = { _, _ in }) async throws -> Listener {
        let port = Mutex<Int?>(nil)
        let logs = LogCapture()
        var options = EventSourceOptions.forTests(logs)
        options.maxBodyBytes = maxBody
        options.ready = { bound in port.withLock { $0 = bound } }
        let source = try EventSources.parse(spec, aws: { _ in throw CancellationError() }, options: options)
        let run = SourceRun(source, deliver: deliver)
        try #require(await run.wait(within: .seconds(30)) { port.withLock { $0 } != nil })  // catches a hang, not a slow start
        return Listener(run: run, port: port.withLock { $0 } ?? 0, logs: logs)
    }

    @Test func oneEvent() async throws {
        let l = try await Self.listen()
        let answer = try await RawHTTP.post(port: l.port, body: Self.event)
        #expect(answer.status == 200)
        #expect(object(answer.body)["accepted"] as? Int == 1)
        #expect(l.run.bodies == [Self.event])
        #expect(l.run.events.first?.origin.hasPrefix("http:127.0.0.1:") == true)
        #expect(await l.run.stop()?.error is CancellationError)
    }

    /// The answer comes once every event of the array was delivered, each as its own text.
    @Test func batchDeliveredInOrder() async throws {
        let l = try await Self.listen(maxBody: 4096)
        let events = (1...3).map { #"{"source":"aws.ecs","detail":{"n": \#($0)}}"# }
        let answer = try await RawHTTP.post(port: l.port, path: "/events", body: "[\n" + events.joined(separator: ",\n") + "\n]")
        #expect(answer.status == 200)
        #expect(object(answer.body)["accepted"] as? Int == 3)
        #expect(l.run.bodies == events)
        #expect(l.run.events.map(\.origin).allSatisfy { $0.hasPrefix("http:127.0.0.1:") })
        #expect(l.run.events.last?.origin.hasSuffix("#3") == true)
        await l.run.stop()
    }

    @Test func badJSONAnswered400() async throws {
        let l = try await Self.listen()
        for (body, says) in [("{not json", "not valid JSON"), ("[1]", "element 1"), ("\"x\"", "a JSON string")] {
            let answer = try await RawHTTP.post(port: l.port, body: body)
            #expect(answer.status == 400, "\(body)")
            #expect((object(answer.body)["error"] as? String)?.contains(says) == true, "\(answer.body)")
        }
        #expect(l.run.callCount == 0)
        await l.run.stop()
    }

    @Test func oversizeAnswered413() async throws {
        let l = try await Self.listen(maxBody: 1024)
        let big = #"{"pad":""# + String(repeating: "x", count: 4000) + #""}"#
        let answer = try await RawHTTP.post(port: l.port, body: big)
        #expect(answer.status == 413)
        #expect((object(answer.body)["error"] as? String)?.contains("1024") == true)
        #expect(l.run.callCount == 0)
        await l.run.stop()
    }

    /// The event that failed is not counted; the listener goes on.
    @Test func deliverThatThrowsAnswered500() async throws {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full" } }
        let l = try await Self.listen(maxBody: 4096) { _, call in if call == 1 { throw DiskFull() } }
        let answer = try await RawHTTP.post(port: l.port, body: "[\(Self.event), \(Self.event), \(Self.event)]")
        #expect(answer.status == 500)
        let fields = object(answer.body)
        #expect(fields["accepted"] as? Int == 1)
        #expect((fields["error"] as? String)?.contains("disk full") == true)
        #expect(l.run.events.count == 1)
        #expect(l.logs.count("event not recorded") == 1)
        let again = try await RawHTTP.post(port: l.port, body: Self.event)
        #expect(again.status == 200)
        #expect(l.run.events.count == 2)
        await l.run.stop()
    }

    @Test func otherRequestsAnswered404Or405() async throws {
        let l = try await Self.listen()
        let wrongPath = try await RawHTTP.post(port: l.port, path: "/hooks", body: Self.event)
        #expect(wrongPath.status == 404)
        let get = try await RawHTTP.exchange(port: l.port, Array("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(get.status == 405)
        #expect(get.head.contains("Allow: POST"))
        let garbage = try await RawHTTP.exchange(port: l.port, Array("HELLO\r\n\r\n".utf8))
        #expect(garbage.status == 400)
        let chunked = try await RawHTTP.exchange(
            port: l.port, Array("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".utf8))
        #expect(chunked.status == 411)
        #expect(l.run.callCount == 0)
        await l.run.stop()
    }

    @Test func nonLoopbackHostRefused() {
        let error = #expect(throws: EventSourceError.self) {
            _ = try EventSources.parse("http:0.0.0.0:8080", aws: { _ in throw CancellationError() }, options: EventSourceOptions())
        }
        #expect(error?.kind == .badSpec)
        var allowed = EventSourceOptions()
        allowed.allowNonLoopback = true
        #expect(throws: Never.self) {
            _ = try EventSources.parse("http:0.0.0.0:8080", aws: { _ in throw CancellationError() }, options: allowed)
        }
    }

    @Test func ipv6Loopback() async throws {
        let l = try await Self.listen("http:[::1]:0")
        let answer = try await RawHTTP.post(port: l.port, host: "::1", body: Self.event)
        #expect(answer.status == 200)
        #expect(l.run.events.first?.origin.hasPrefix("http:[::1]:") == true)
        await l.run.stop()
    }

    /// A port already taken is a clear error, not a silent hang.
    @Test func busyPortIsAnError() async throws {
        let l = try await Self.listen()
        let source = try EventSources.parse("http:127.0.0.1:\(l.port)", aws: { _ in throw CancellationError() },
                                            options: .forTests())
        let error = await #expect(throws: EventSourceError.self) { try await source.run { _ in } }
        #expect(error?.kind == .cannotListen)
        await l.run.stop()
    }
}
