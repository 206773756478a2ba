import AsyncHTTPClient
import Foundation
import Logging
import Synchronization

/// Delivers webhook messages in the background so that a rollout never waits for a webhook:
/// `enqueue` returns at once; each webhook URL has its own bounded queue (FIFO, so a receiver
/// sees a run's events in order) drained by its own task, so a dead webhook does not hold up
/// the others. A message is tried `policy.attempts` times; a webhook whose last message failed
/// every attempt gets one attempt per message until one gets through, so a dead receiver cannot
/// make the queue lag. Failures are reported (`flow: notify: ...` on stderr), never thrown.
///
/// `finish()` must be called before the notifier goes away (it shuts the HTTP client down): it
/// waits up to `policy.finishWithin` for the queues to drain, then gives up with one line.
public final class WebhookNotifier: Sendable {
    public typealias Report = @Sendable (String) -> Void

    public let policy: DeliveryPolicy
    let report: Report
    private let logger: Logger
    private let state = Mutex(State())

    struct Lane {
        var queue: [WebhookMessage] = []
        var worker: Task<Void, Never>?
        /// A message of this lane is being delivered.
        var busy = false
        /// The last message failed every attempt: the next gets only one until one is delivered.
        var failing = false
        var dropped = 0
    }

    struct State {
        var lanes: [String: Lane] = [:]
        var client: HTTPClient?
        var finished = false
        var delivered = 0
    }

    /// `report` gets each problem as one line's text (without the `flow: notify: ` prefix).
    public init(policy: DeliveryPolicy = .standard, logger: Logger = Logger(label: "flow.notify"),
                report: @escaping Report = WebhookNotifier.standardError) {
        self.policy = policy
        self.logger = logger
        self.report = report
    }

    /// Writes `flow: notify: LINE` to stderr in one write(2).
    public static let standardError: Report = { line in
        FileHandle.standardError.write(Data("flow: notify: \(line)\n".utf8))
    }

    /// Queues a message and returns at once. A full queue drops its oldest message.
    public func enqueue(_ message: WebhookMessage) {
        var problem: String?
        state.withLock { s in
            if s.finished {
                problem = "\(message.kind) not sent: notifications were already flushed"
                return
            }
            var lane = s.lanes[message.url] ?? Lane()
            if lane.queue.count >= policy.capacity {
                let oldest = lane.queue.removeFirst()
                lane.dropped += 1
                if lane.dropped == 1 || lane.dropped % 100 == 0 {
                    problem = "queue for \(WebhookURL.redacted(message.url)) is full (\(policy.capacity) waiting): "
                        + "dropped the oldest (\(oldest.kind)); \(lane.dropped) dropped so far"
                }
            }
            lane.queue.append(message)
            if lane.worker == nil {
                let url = message.url
                lane.worker = Task { await self.drain(url) }
            }
            s.lanes[message.url] = lane
        }
        if let problem { report(problem) }
    }

    /// Messages queued or being delivered.
    public var pending: Int {
        state.withLock { s in s.lanes.values.reduce(0) { $0 + $1.queue.count + ($1.busy ? 1 : 0) } }
    }

    /// Messages delivered so far (a 2xx answer).
    public var delivered: Int { state.withLock { $0.delivered } }

    /// Waits (at most `within`, default `policy.finishWithin`) for every queue to drain, then
    /// stops: what is left is reported in one line and dropped, and the HTTP client is shut down.
    /// Later calls return at once; later messages are refused.
    public func finish(within: Duration? = nil) async {
        let limit = within ?? policy.finishWithin
        let first = state.withLock { s in
            defer { s.finished = true }
            return !s.finished
        }
        guard first else { return }
        let deadline = ContinuousClock.now + limit
        while pending > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let (left, urls, workers, client) = state.withLock { s in
            var left = 0
            var urls: [String] = []
            var workers: [Task<Void, Never>] = []
            for (url, lane) in s.lanes {
                let n = lane.queue.count + (lane.busy ? 1 : 0)
                if n > 0 { left += n; urls.append(WebhookURL.redacted(url)) }
                if let w = lane.worker { workers.append(w) }
            }
            s.lanes = s.lanes.mapValues { lane in
                var lane = lane
                lane.queue.removeAll()
                return lane
            }
            let client = s.client
            s.client = nil
            return (left, urls.sorted(), workers, client)
        }
        if left > 0 {
            report("gave up after \(WebhookPost.seconds(limit)) s: \(left) notification\(left == 1 ? "" : "s") not delivered to \(urls.joined(separator: ", "))")
        }
        for w in workers { w.cancel() }
        _ = await Self.waitBriefly(upTo: .seconds(1)) {
            for w in workers { await w.value }
        }
        if let client {
            _ = await Self.waitBriefly(upTo: .seconds(2)) { try? await client.shutdown() }
        }
    }

    // MARK: delivery

    private func drain(_ url: String) async {
        while let (message, attempts) = take(url) {
            let ok = await deliver(message, attempts: attempts)
            state.withLock { s in
                s.lanes[url]?.busy = false
                if !Task.isCancelled { s.lanes[url]?.failing = !ok }
                if ok { s.delivered += 1 }
            }
        }
    }

    /// The lane's next message, or nil (and the lane's worker cleared) when it is empty or the
    /// notifier gave up.
    private func take(_ url: String) -> (WebhookMessage, attempts: Int)? {
        state.withLock { s in
            guard var lane = s.lanes[url] else { return nil }
            guard !Task.isCancelled, !lane.queue.isEmpty else {
                lane.worker = nil
                s.lanes[url] = lane
                return nil
            }
            let next = lane.queue.removeFirst()
            lane.busy = true
            s.lanes[url] = lane
            return (next, lane.failing ? 1 : policy.attempts)
        }
    }

    private func client() -> HTTPClient {
        state.withLock { s in
            if let c = s.client { return c }
            var config = HTTPClient.Configuration(redirectConfiguration: .disallow)
            config.timeout = .init(connect: .seconds(2), read: .seconds(5))
            // A refused connection is an answer: fail the attempt now, retry on our own terms.
            config.connectionPool.retryConnectionEstablishment = false
            let c = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
            s.client = c
            return c
        }
    }

    private func deliver(_ message: WebhookMessage, attempts: Int) async -> Bool {
        let target = WebhookURL.redacted(message.url)
        var delay = policy.backoff
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            let outcome = await WebhookPost.send(message, timeout: policy.timeout, client: client())
            if Task.isCancelled { return false }  // finish() gave up and said so
            switch outcome {
            case .delivered(let status):
                logger.debug("delivered \(message.kind) to \(target): HTTP \(status) in \(ContinuousClock.now - started)")
                return true
            case .rejected(let why):
                report("\(message.kind) to \(target) refused: \(why) (not retried)")
                return false
            case .retry(let why):
                guard attempt < attempts else {
                    report("\(message.kind) to \(target) not delivered after \(attempt) attempt\(attempt == 1 ? "" : "s"): \(why)")
                    return false
                }
                logger.debug("\(message.kind) to \(target), attempt \(attempt): \(why); retrying in \(delay)")
                try? await Task.sleep(for: delay)
                if Task.isCancelled { return false }
                delay *= 2
                attempt += 1
            }
        }
    }

    /// Runs `work` in its own task and waits for it at most `upTo`; true when it finished.
    static func waitBriefly(upTo: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let box = DoneFlag()
        Task {
            await work()
            box.set()
        }
        let deadline = ContinuousClock.now + upTo
        while !box.isSet, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return box.isSet
    }
}

/// A flag one task sets and another polls.
final class DoneFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    /// Sets the flag; true for the one caller that set it first.
    func setOnce() -> Bool {
        value.withLock { v in
            defer { v = true }
            return !v
        }
    }
    var isSet: Bool { value.withLock { $0 } }
}
