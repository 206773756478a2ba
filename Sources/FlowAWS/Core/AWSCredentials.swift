/// A set of AWS credentials. The secret parts never print: `description` redacts them, so an
/// error or log line that interpolates credentials cannot leak them.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: ContinuousClock.Instant?
    /// Where they came from ("environment", "profile default in ~/.aws/credentials", "container", "imds"...).
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil,
                expiration: ContinuousClock.Instant? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "AWSCredentials(\(accessKeyID), secret: <redacted>\(sessionToken == nil ? "" : ", token: <redacted>"), from \(source))"
    }

    public var debugDescription: String { description }

    /// `dump` and debuggers see the same redacted view.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "secret": "<redacted>", "source": source], displayStyle: .struct)
    }
}

/// Something that can produce credentials (one link of the chain, or the chain itself).
public protocol AWSCredentialsProvider: Sendable {
    /// Credentials valid for at least a few minutes; refreshes temporary ones before they expire.
    func credentials() async throws -> AWSCredentials
}
