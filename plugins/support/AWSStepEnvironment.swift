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
    /// Given by the caller (tests), else one default chain per profile, made on first use.
    private let fixedCredentials: (any AWSCredentialsProvider)?
    private let chains = Mutex<[String: any AWSCredentialsProvider]>([:])
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
        self.fixedCredentials = credentials
        self.retryPolicy = retryPolicy
    }

    /// The credentials chain for `profile` as `--profile` names it. As in the AWS CLI, a profile
    /// on the command line beats keys in the environment, so they are left out of its chain.
    public func credentials(profile: String?) -> any AWSCredentialsProvider {
        if let fixedCredentials { return fixedCredentials }
        return chains.withLock { cache in
            let key = profile ?? ""
            if let c = cache[key] { return c }
            var env = environment
            if let profile {
                env["AWS_PROFILE"] = profile
                for k in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] { env[k] = nil }
            }
            let chain = AWSConfig.defaultChain(environment: env, httpClient: httpClient)
            cache[key] = chain
            return chain
        }
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
        let credentials = self.credentials(profile: context.settings.profile)
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
        // The code is the failure's name already: "Throttling: Route 53 ... failed: Rate exceeded".
        let message = error.description.replacingOccurrences(of: "failed: \(error.code): ", with: "failed: ")
        self.init(error.code, message, retryable: error.isRetryable)
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
