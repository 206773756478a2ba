import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends signed requests to AWS with retries. One instance (and so one connection pool) serves
/// every service; the owner calls `shutdown()` once when done.
public final class AWSClient: Sendable {
    /// Where a service lives and which region its signature names.
    public typealias EndpointResolver = @Sendable (AWSService) throws -> (endpoint: String, signingRegion: String)

    public let httpClient: HTTPClient
    public let credentialsProvider: any AWSCredentialsProvider
    public let resolver: EndpointResolver
    public let retryPolicy: RetryPolicy
    public let logger: Logger
    /// Largest response body read into memory.
    public let maxResponseBytes: Int

    public init(credentialsProvider: any AWSCredentialsProvider, resolver: @escaping EndpointResolver,
                retryPolicy: RetryPolicy = .default, logger: Logger = Logger(label: "flow.aws"),
                httpClient: HTTPClient? = nil, maxResponseBytes: Int = 32 << 20) {
        self.credentialsProvider = credentialsProvider
        self.resolver = resolver
        self.retryPolicy = retryPolicy
        self.logger = logger
        self.maxResponseBytes = maxResponseBytes
        // Redirects would resend a signed request elsewhere; AWS never needs them.
        var config = HTTPClient.Configuration(redirectConfiguration: .disallow)
        config.httpVersion = .http1Only
        self.httpClient = httpClient ?? HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    }

    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// Signs (afresh each attempt, so a retry after minutes still carries a valid date), sends and
    /// retries per `retryPolicy`. Returns 2xx/3xx responses; throws `AWSError` otherwise.
    /// An empty `request.endpoint` is filled in by the resolver.
    public func send(_ service: AWSService, operation: String, request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let (endpoint, region) = try resolver(service)
        var request = request
        if request.endpoint.isEmpty { request.endpoint = endpoint }
        let policy = retryPolicy
        let clock = ContinuousClock()
        let started = clock.now
        var attempt = 0
        while true {
            attempt += 1
            let remaining = policy.totalTimeout - (clock.now - started)
            let timeout = min(policy.perAttemptTimeout, max(remaining, .milliseconds(1)))
            // Outside the transport's do/catch: a credentials failure is not a network failure to retry here
            // (the provider chain has its own retries).
            let credentials = try await credentialsProvider.credentials()
            var failure: AWSError
            do {
                let signed = SigV4Signer(credentials: credentials, region: region, signingName: service.signingName)
                    .sign(request, at: Date())
                let response = try await execute(signed, timeout: timeout)
                if response.status < 400 {
                    logger.debug("aws call ok", metadata: meta(service, operation, attempt, response.status))
                    return response
                }
                // An endpoint may echo the request (its token) in its error: never pass that on.
                failure = AWSErrorParser.parse(response, service: service, operation: operation).redacting(credentials)
            } catch let error as AWSError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = Self.transportError(error, service: service, operation: operation)
            }
            failure.attempts = attempt
            logger.debug("aws call failed", metadata: meta(service, operation, attempt, failure.httpStatus).merging(
                ["code": "\(failure.code)", "retryable": "\(failure.isRetryable)"], uniquingKeysWith: { $1 }))
            guard failure.isRetryable, attempt < policy.maxAttempts else { throw failure }
            let delay = policy.delay(afterAttempt: attempt - 1)
            guard clock.now - started + delay < policy.totalTimeout else { throw failure }
            try await policy.sleep(delay)
        }
    }

    private func meta(_ service: AWSService, _ operation: String, _ attempt: Int, _ status: Int?) -> Logger.Metadata {
        ["service": "\(service.id)", "operation": "\(operation)", "attempt": "\(attempt)",
         "status": "\(status.map(String.init) ?? "none")"]
    }

    private func execute(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse {
        var url = request.endpoint + request.path
        if !request.query.isEmpty {
            url += "?" + request.query.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }
                .joined(separator: "&")
        }
        var http = HTTPClientRequest(url: url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if !request.body.isEmpty { http.body = .bytes(request.body) }
        let nanos = Int64(timeout.seconds * 1e9)
        let response = try await httpClient.execute(http, timeout: .nanoseconds(nanos))
        let body = try await response.body.collect(upTo: maxResponseBytes)
        return AWSHTTPResponse(status: Int(response.status.code),
                               headers: response.headers.map { ($0.name, $0.value) },
                               body: Array(body.readableBytesView))
    }

    /// No response: name the failure without echoing the request (it holds the signature).
    static func transportError(_ error: any Error, service: AWSService, operation: String) -> AWSError {
        var code = "NetworkError"
        if let http = error as? HTTPClientError {
            if [.readTimeout, .writeTimeout, .connectTimeout, .deadlineExceeded, .getConnectionFromPoolTimeout]
                .contains(http) { code = "Timeout" }
            if [.invalidURL, .emptyHost, .emptyScheme, .unsupportedScheme("")].contains(http) { code = "InvalidEndpoint" }
        }
        return AWSError(service: service.id, operation: operation, code: code, message: "\(error)")
    }
}
