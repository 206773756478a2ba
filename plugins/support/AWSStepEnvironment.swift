import AsyncHTTPClient
import FlowAWS
import FlowEngine
import Foundation
import Synchronization

/// What AWS-backed plugins share: one HTTP connection pool, one credentials chain, and a client
/// per region (a call names its region, or falls back on `--region`, the environment, the profile).
/// The composition root makes one and shuts it down at exit.
public final class AWSStepEnvironment: Sendable {
    public let environment: [String: String]
    public let httpClient: HTTPClient
    public let credentials: any AWSCredentialsProvider
    public let retryPolicy: FlowAWS.RetryPolicy
    private let clients = Mutex<[String: AWSClient]>([:])

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                credentials: (any AWSCredentialsProvider)? = nil,
                retryPolicy: FlowAWS.RetryPolicy = .default) {
        self.environment = environment
        var config = HTTPClient.Configuration(redirectConfiguration: .disallow)
        config.httpVersion = .http1Only
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        self.httpClient = http
        self.credentials = credentials ?? AWSConfig.defaultChain(environment: environment, httpClient: http)
        self.retryPolicy = retryPolicy
    }

    /// The client for `region` (else the context's `--region`, else the environment and profile).
    /// A missing region is a StepFailure that says where to set one.
    public func client(region: String?, context: StepContext) throws -> AWSClient {
        let config: AWSConfig
        do {
            config = try AWSConfig.resolve(environment: environment, explicitRegion: region ?? context.settings.region,
                                           profile: context.settings.profile)
        } catch {
            throw StepFailure("MissingRegion", "\(error); or pass region = \"...\" to the step", retryable: false)
        }
        let key = config.profile + "/" + config.region
        return clients.withLock { cache in
            if let c = cache[key] { return c }
            let c = AWSClient(credentialsProvider: credentials, resolver: { service in
                let e = config.endpoint(for: service)
                return (e.url, e.signingRegion)
            }, retryPolicy: retryPolicy, logger: context.logger, httpClient: httpClient)
            cache[key] = c
            return c
        }
    }

    public func shutdown() async {
        try? await httpClient.shutdown()
    }
}

extension StepFailure {
    /// An AWS error as a step failure: retry policies match its code ("Throttling", ...), and
    /// it is retryable when another attempt may succeed.
    public init(_ error: AWSError) {
        self.init(error.code, error.description, retryable: error.isRetryable)
    }
}

/// Runs an AWS call, turning `AWSError` into `StepFailure`.
public func awsStep<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let e as AWSError {
        throw StepFailure(e)
    } catch let e as NoCredentialsError {
        throw StepFailure("NoCredentials", e.description, retryable: false)
    } catch let e as CredentialsProviderError {
        throw StepFailure("CredentialsError", e.description, retryable: true)
    }
}
