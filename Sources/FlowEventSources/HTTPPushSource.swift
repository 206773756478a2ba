import Foundation
import Logging

/// Events POSTed to a listener on 127.0.0.1 (by default): `POST /` or `POST /events` with one
/// event object or an array of them. The answer waits until every event of the body was
/// delivered: 200 `{"accepted": n}`; 500 `{"error", "accepted"}` when `deliver` threw (the events
/// before it were delivered: a client that sends the body again causes duplicates, which the
/// consumer drops); 400 for bad JSON; 413 over `maxBodyBytes`; 404/405 for other requests;
/// 503 while stopping.
public struct HTTPPushSource: EventSource {
    public let host: String
    /// The port asked for; 0 picks a free one, which `options.ready` is told.
    public let port: Int
    let options: EventSourceOptions

    public var description: String { "http:\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    public init(host: String, port: Int, options: EventSourceOptions = EventSourceOptions()) {
        self.host = host
        self.port = port
        self.options = options
    }

    public func run(_ deliver: @Sendable (IncomingEvent) async throws -> Void) async throws {
        let (requests, queue) = AsyncStream.makeStream(of: HTTPPushWork.self)
        let stopped = StopFlag()
        // Runs on a connection thread: checks the body there, then waits for this task's answer.
        let listener = try HTTPListener(host: host, port: port, maxBody: options.maxBodyBytes,
                                        readTimeout: options.httpReadTimeout, maxConnections: options.httpMaxConnections) { request, peer in
            let events: [String]
            switch JSONEventText.events(inBody: request.body) {
            case .failure(let problem): return .json(400, error: problem.message)
            case .success(let found): events = found
            }
            let work = HTTPPushWork(events: events, peer: peer)
            guard case .enqueued = queue.yield(work) else { return .json(503, error: "the listener is stopping") }
            return work.reply.wait(unless: stopped.isSet) ?? .json(503, error: "the listener is stopping")
        }
        defer {
            stopped.set()
            queue.finish()
            listener.stop()
        }
        options.logger.info("listening for events", metadata: ["source": "\(description)", "port": "\(listener.port)"])
        options.ready?(listener.port)
        // Ends when the task is cancelled.
        for await work in requests {
            work.reply.resolve(await deliverAll(work, deliver))
        }
        throw CancellationError()
    }

    private func deliverAll(_ work: HTTPPushWork, _ deliver: @Sendable (IncomingEvent) async throws -> Void) async -> HTTPResponse {
        for (index, body) in work.events.enumerated() {
            let origin = work.events.count == 1 ? "http:\(work.peer)" : "http:\(work.peer)#\(index + 1)"
            do {
                try await deliver(IncomingEvent(body: body, origin: origin))
            } catch {
                options.logger.error("event not recorded; answered 500", metadata: [
                    "source": "\(description)", "origin": "\(origin)", "error": "\(error)",
                ])
                return .json(500, accepted: index, error: "event \(index + 1) was not recorded: \(error)")
            }
        }
        return .json(200, accepted: work.events.count)
    }
}

/// One request's events, and the answer its connection thread waits for.
struct HTTPPushWork: Sendable {
    var events: [String]
    var peer: String
    let reply = HTTPReply()
}

/// Hands an answer from the consuming task to the blocked connection thread.
final class HTTPReply: @unchecked Sendable {
    private let condition = NSCondition()
    private var response: HTTPResponse?

    func resolve(_ response: HTTPResponse) {
        condition.withLock {
            self.response = response
            condition.broadcast()
        }
    }

    /// The answer, or nil once `stopped` says the consumer is gone; checks it every 100 ms.
    func wait(unless stopped: @autoclosure () -> Bool) -> HTTPResponse? {
        condition.withLock {
            while response == nil, !stopped() {
                _ = condition.wait(until: Date().addingTimeInterval(0.1))
            }
            return response
        }
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
