import AsyncHTTPClient

/// The EC2 instance role via IMDSv2: a session token from PUT /latest/api/token, the role name,
/// then the role's credentials. Timeouts are short because off EC2 nothing answers at all.
public struct IMDSCredentialsProvider: AWSCredentialsProvider {
    public let environment: [String: String]
    /// Explicit base URL > AWS_EC2_METADATA_SERVICE_ENDPOINT > the mode's default address.
    public let baseURL: String
    public let timeout: Duration
    let client: HTTPClient
    static let label = "instance metadata"

    public init(environment: [String: String], httpClient: HTTPClient, baseURL: String? = nil,
                timeout: Duration = .seconds(1)) {
        self.environment = environment
        self.client = httpClient
        self.timeout = timeout
        let ipv6 = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6"
        var base = nonEmptySetting(baseURL) ?? nonEmptySetting(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"])
            ?? (ipv6 ? "http://[fd00:ec2::254]" : "http://169.254.169.254")
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    public func credentials() async throws -> AWSCredentials {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw CredentialsProviderError(provider: Self.label, kind: .notConfigured,
                                           reason: "disabled by AWS_EC2_METADATA_DISABLED")
        }
        // One try plus one retry per request, as the CLI does by default.
        let http = MetadataHTTP(client: client, provider: Self.label, timeout: timeout, attempts: 2)
        var headers: [(String, String)] = []
        let v1Allowed = environment["AWS_EC2_METADATA_V1_DISABLED"]?.lowercased() != "true"
        let tokenResponse = try await http.send(
            .PUT, baseURL + "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")])
        switch tokenResponse.status {
        case 200:
            headers = [("X-aws-ec2-metadata-token", String(decoding: tokenResponse.body, as: UTF8.self))]
        case 404 where v1Allowed, 405 where v1Allowed:
            // Old metadata services (and some proxies) lack the token API; IMDSv1 still works there.
            break
        default:
            throw failure("PUT \(baseURL)/latest/api/token returned HTTP \(tokenResponse.status)")
        }

        let rolesURL = baseURL + "/latest/meta-data/iam/security-credentials/"
        let roles = try await http.send(.GET, rolesURL, headers: headers)
        if roles.status == 404 {
            throw failure("the instance has no IAM role (GET \(rolesURL) returned 404)")
        }
        guard roles.status == 200 else { throw failure("GET \(rolesURL) returned HTTP \(roles.status)") }
        let role = String(decoding: roles.body, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map { String($0.trimmedINIWhitespace()) } ?? ""
        guard !role.isEmpty else { throw failure("GET \(rolesURL) returned no role name") }

        let credentials = try await http.send(.GET, rolesURL + role, headers: headers)
        guard credentials.status == 200 else {
            throw failure("GET \(rolesURL)\(role) returned HTTP \(credentials.status)")
        }
        return try CredentialsJSON.decode(credentials.body, provider: Self.label, source: "imds role \(role)")
    }

    private func failure(_ reason: String) -> CredentialsProviderError {
        CredentialsProviderError(provider: Self.label, kind: .failed, reason: reason)
    }
}
