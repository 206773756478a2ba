/// Credentials of one profile, in the AWS CLI's order: static keys in the credentials file, then
/// the profile's `credential_process` (either file; the credentials file wins), then static keys
/// in the config file.
public struct ProfileCredentialsProvider: AWSCredentialsProvider {
    public let environment: [String: String]
    /// The profile: the explicit one, else AWS_PROFILE, else "default".
    public let profile: String
    /// How long credential_process may run before it is killed.
    public let processTimeout: Duration

    public init(environment: [String: String], profile: String? = nil, processTimeout: Duration = .seconds(60)) {
        self.environment = environment
        self.profile = nonEmptySetting(profile) ?? nonEmptySetting(environment["AWS_PROFILE"]) ?? "default"
        self.processTimeout = processTimeout
    }

    var label: String { "profile \(profile)" }

    public func credentials() async throws -> AWSCredentials {
        let shared: SharedConfig
        do {
            shared = try SharedConfig.load(environment: environment)
        } catch {
            throw CredentialsProviderError(provider: label, kind: .failed, reason: "\(error)")
        }
        let fromCredentials = shared.credentialsProfile(profile)
        let fromConfig = shared.configProfile(profile)
        if let keys = try staticKeys(fromCredentials, file: shared.credentialsDisplayPath) { return keys }
        if let command = nonEmptySetting(fromCredentials?["credential_process"]) ?? nonEmptySetting(fromConfig?["credential_process"]) {
            return try await CredentialProcess(command: command, profile: profile, environment: environment,
                                               timeout: processTimeout).run()
        }
        if let keys = try staticKeys(fromConfig, file: shared.configDisplayPath) { return keys }
        throw CredentialsProviderError(provider: label, kind: .notConfigured, reason: missingReason(shared, fromCredentials, fromConfig))
    }

    private func staticKeys(_ settings: [String: String]?, file: String) throws -> AWSCredentials? {
        guard let settings, let accessKey = nonEmptySetting(settings["aws_access_key_id"]) else { return nil }
        guard let secret = nonEmptySetting(settings["aws_secret_access_key"]) else {
            throw CredentialsProviderError(provider: label, kind: .failed,
                                           reason: "aws_access_key_id without aws_secret_access_key in \(file)")
        }
        return AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret,
                              sessionToken: nonEmptySetting(settings["aws_session_token"]),
                              source: "profile \(profile) in \(file)")
    }

    private func missingReason(_ shared: SharedConfig, _ fromCredentials: [String: String]?,
                               _ fromConfig: [String: String]?) -> String {
        if shared.credentialsProfiles == nil && shared.configProfiles == nil {
            return "no \(shared.credentialsDisplayPath) or \(shared.configDisplayPath)"
        }
        if fromCredentials == nil && fromConfig == nil {
            let files = [shared.credentialsProfiles.map { _ in shared.credentialsDisplayPath },
                         shared.configProfiles.map { _ in shared.configDisplayPath }].compactMap { $0 }
            return "profile not found in \(files.joined(separator: " or "))"
        }
        return "no aws_access_key_id or credential_process in the profile"
    }
}
