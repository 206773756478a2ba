import AsyncHTTPClient
import NIOCore

/// One GET whose whole exchange (connect, head and body) is bounded by `timeout`: AsyncHTTPClient's
/// deadline stops at the response head, so a server that trickles its body is raced here too.
/// A refused connection takes the whole `timeout`: the client keeps retrying the connect until
/// its deadline, then reports the last refusal.
enum HTTPProbe {
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
        var truncated: Bool
        var latencyMs: Double
    }

    /// No response: refused, reset, timed out, bad address.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// Throws `Failure`, or `CancellationError` when the calling task is cancelled (Ctrl-C).
    static func get(_ url: String, timeout: Double, bodyLimit: Int, client: HTTPClient) async throws -> Response {
        let start = ContinuousClock.now
        let nanos = Int64(timeout * 1e9)
        do {
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask {
                    var request = HTTPClientRequest(url: url)
                    request.method = .GET
                    request.headers.add(name: "User-Agent", value: "flow-health")
                    let response = try await client.execute(request, deadline: .now() + .nanoseconds(nanos))
                    var body: [UInt8] = []
                    var truncated = false
                    for try await chunk in response.body {
                        let room = bodyLimit - body.count
                        if chunk.readableBytes > room {
                            body += chunk.readableBytesView.prefix(room)
                            truncated = true
                            break
                        }
                        body += chunk.readableBytesView
                    }
                    return Response(status: Int(response.status.code), body: body, truncated: truncated,
                                    latencyMs: milliseconds(since: start))
                }
                group.addTask {
                    // A moment after the client's own deadline, so its more precise error (the
                    // last refused connect: it retries connecting until then) wins when it has one.
                    try await Task.sleep(for: .nanoseconds(nanos) + .milliseconds(250))
                    return nil
                }
                defer { group.cancelAll() }
                guard case .some(.some(let response)) = try await group.next() else {
                    throw Failure(description: "no response within \(MetricEvaluation.format(timeout)) s")
                }
                return response
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if error is Failure { throw error }
            throw Failure(description: describe(error, timeout: timeout))
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// A short name for what went wrong, so equal failures group together in a gate's reason.
    static func describe(_ error: any Error, timeout: Double) -> String {
        if let e = error as? HTTPClientError,
            [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(e) {
            return "no response within \(MetricEvaluation.format(timeout)) s"
        }
        let text = String(describing: error)
        for known in ["connection refused", "connection reset", "no route to host", "network is unreachable"]
        where text.lowercased().contains(known) {
            return known
        }
        return String(text.prefix(200))
    }
}
