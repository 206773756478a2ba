import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Small requests to link-local credential endpoints. Each attempt has one overall deadline
/// (the caller's HTTPClient is shared and its own timeouts are not ours to change).
struct MetadataHTTP {
    var client: HTTPClient
    var provider: String
    var timeout: Duration
    var attempts: Int

    struct Response {
        var status: Int
        var body: [UInt8]
    }

    /// Retries only transport failures and 5xx; a 4xx is an answer, not a hiccup.
    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)]) async throws -> Response {
        var lastError = ""
        for attempt in 1...max(1, attempts) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            do {
                let response = try await client.execute(request, timeout: timeAmount)
                let body = try await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                if status >= 500 && attempt < attempts {
                    lastError = "HTTP \(status)"
                    continue
                }
                return Response(status: status, body: Array(body.readableBytesView))
            } catch {
                lastError = Self.describe(error, timeout: timeout)
            }
        }
        throw CredentialsProviderError(provider: provider, kind: .failed,
                                       reason: "\(method) \(url) failed: \(lastError)")
    }

    private var timeAmount: TimeAmount {
        let parts = timeout.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    static func describe(_ error: Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError,
           error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout {
            return "no response within \(timeout)"
        }
        return "\(error)"
    }
}
