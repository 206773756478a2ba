import AsyncHTTPClient

/// Providers tried in order; the first that yields credentials wins and is remembered, so a
/// refresh asks it again rather than walking the chain (and waiting on IMDS timeouts) anew.
/// Temporary credentials are reused until `refreshMargin` before they expire; callers that
/// arrive during a refresh wait for that one refresh instead of starting their own.
public actor CredentialsChain: AWSCredentialsProvider {
    public nonisolated let providers: [any AWSCredentialsProvider]
    public nonisolated let refreshMargin: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private var cached: AWSCredentials?
    private var winner: Int?
    private var refreshTask: Task<AWSCredentials, Error>?

    public init(providers: [any AWSCredentialsProvider], refreshMargin: Duration = .seconds(300),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.providers = providers
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// environment → profile (static keys, credential_process) → container → instance metadata.
    /// An explicit `profile` (a --profile flag) skips the environment, as the AWS CLI does: the
    /// user asked for that profile, not for whatever keys the shell happens to export.
    public static func defaultChain(environment: [String: String], httpClient: HTTPClient,
                                    profile: String? = nil) -> CredentialsChain {
        var providers: [any AWSCredentialsProvider] = []
        if nonEmptySetting(profile) == nil {
            providers.append(EnvironmentCredentialsProvider(environment: environment))
        }
        providers.append(ProfileCredentialsProvider(environment: environment, profile: profile))
        providers.append(ContainerCredentialsProvider(environment: environment, httpClient: httpClient))
        providers.append(IMDSCredentialsProvider(environment: environment, httpClient: httpClient))
        return CredentialsChain(providers: providers)
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, isFresh(cached) { return cached }
        if let refreshTask { return try await refreshTask.value }
        let task = Task { try await self.refresh() }
        refreshTask = task
        return try await task.value
    }

    /// Forgets the cached credentials and the winning provider (e.g. after the service rejected them).
    public func invalidate() {
        cached = nil
        winner = nil
    }

    private func isFresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return now() < expiration.advanced(by: .zero - refreshMargin)
    }

    private func refresh() async throws -> AWSCredentials {
        defer { refreshTask = nil }
        let stale = cached
        do {
            let fresh = try await fetch()
            cached = fresh
            return fresh
        } catch {
            // Inside the margin the old credentials still work; a failed early refresh is retried
            // on the next call rather than failing this one.
            if let stale, let expiration = stale.expiration, now() < expiration { return stale }
            throw error
        }
    }

    private func fetch() async throws -> AWSCredentials {
        if let winner { return try await providers[winner].credentials() }
        var attempts: [NoCredentialsError.Attempt] = []
        for (index, provider) in providers.enumerated() {
            do {
                let credentials = try await provider.credentials()
                winner = index
                return credentials
            } catch let error as CredentialsProviderError {
                attempts.append(.init(provider: error.provider, reason: error.reason))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                attempts.append(.init(provider: String(describing: type(of: provider)), reason: "\(error)"))
            }
        }
        throw NoCredentialsError(attempts: attempts)
    }
}
