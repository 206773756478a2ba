/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (AWS_SECRET_KEY and
/// AWS_SECURITY_TOKEN are the older spellings the CLI still accepts).
public struct EnvironmentCredentialsProvider: AWSCredentialsProvider {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        try resolve()
    }

    func resolve() throws -> AWSCredentials {
        guard let accessKey = nonEmptySetting(environment["AWS_ACCESS_KEY_ID"]) else {
            throw CredentialsProviderError(provider: "environment", kind: .notConfigured, reason: "AWS_ACCESS_KEY_ID not set")
        }
        guard let secret = nonEmptySetting(environment["AWS_SECRET_ACCESS_KEY"]) ?? nonEmptySetting(environment["AWS_SECRET_KEY"]) else {
            throw CredentialsProviderError(
                provider: "environment", kind: .failed, reason: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
        let token = nonEmptySetting(environment["AWS_SESSION_TOKEN"]) ?? nonEmptySetting(environment["AWS_SECURITY_TOKEN"])
        var expiration: ContinuousClock.Instant?
        if let text = nonEmptySetting(environment["AWS_CREDENTIAL_EXPIRATION"]) {
            expiration = try CredentialsJSON.instant(fromISO8601: text, provider: "environment", field: "AWS_CREDENTIAL_EXPIRATION")
        }
        return AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: token,
                              expiration: expiration, source: "environment")
    }
}
