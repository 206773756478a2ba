/// Why one provider produced no credentials. `notConfigured` means it does not apply here (no
/// variable, no file); `failed` means it applies but broke. Reasons never carry secrets: they
/// name variables, files, URLs and status codes, never values read from them.
public struct CredentialsProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case notConfigured
        case failed
    }

    /// How the provider is named in the chain's error ("environment", "profile default", ...).
    public var provider: String
    public var kind: Kind
    public var reason: String

    public init(provider: String, kind: Kind, reason: String) {
        self.provider = provider
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(provider): \(reason)" }
}

/// The chain's one error when no provider yielded credentials: every provider tried and why.
public struct NoCredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Attempt: Sendable, Equatable {
        public var provider: String
        public var reason: String
    }

    public var attempts: [Attempt]

    public var description: String {
        "no AWS credentials found; tried: " + attempts.map { "\($0.provider) (\($0.reason))" }.joined(separator: ", ")
    }
}
