import AsyncHTTPClient
import Foundation
import NIOCore

/// One POST of a message, bounded as a whole by `timeout` (AsyncHTTPClient's deadline stops at
/// the response head, so a server that trickles its body is raced here too).
enum WebhookPost {
    enum Outcome: Sendable, Equatable {
        case delivered(status: Int)
        /// Worth another attempt: no answer, a refused connection, 408, 429, 5xx.
        case retry(String)
        /// The receiver refused the message itself (4xx): another attempt would be refused too.
        case rejected(String)
    }

    static func send(_ message: WebhookMessage, timeout: Duration, client: HTTPClient) async -> Outcome {
        let nanos = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let result: Outcome? = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                do {
                    var request = HTTPClientRequest(url: message.url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.headers.add(name: "User-Agent", value: "flow-notify")
                    request.body = .bytes(ByteBuffer(bytes: message.body))
                    let response = try await client.execute(request, deadline: .now() + .nanoseconds(nanos))
                    // Read (and drop) the answer, so the connection is left in a clean state.
                    var kept: [UInt8] = []
                    for try await chunk in response.body where kept.count < 512 {
                        kept += chunk.readableBytesView.prefix(512 - kept.count)
                    }
                    let status = Int(response.status.code)
                    if (200..<300).contains(status) { return .delivered(status: status) }
                    let said = String(decoding: kept, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    let what = "HTTP \(status)" + (said.isEmpty ? "" : ": \(said.prefix(200))")
                    return status == 408 || status == 429 || status >= 500 ? .retry(what) : .rejected(what)
                } catch is CancellationError {
                    return nil
                } catch {
                    return .retry(describe(error))
                }
            }
            group.addTask {
                // A moment after the client's own deadline, so its error wins when it has one.
                try? await Task.sleep(for: timeout + .milliseconds(250))
                return Task.isCancelled ? nil : .retry("no answer within \(seconds(timeout)) s")
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return nil
        }
        return result ?? .retry("cancelled")
    }

    /// A short name for what went wrong, so repeated failures read the same.
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError,
           [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(e) {
            return "no answer in time"
        }
        let text = String(describing: error)
        for known in ["connection refused", "connection reset", "no route to host", "network is unreachable",
                      "name or service not known", "no address"]
        where text.lowercased().contains(known) {
            return known
        }
        return String(text.prefix(200))
    }

    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }
}
