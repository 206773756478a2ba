import AsyncHTTPClient
import Foundation

/// ECS task roles (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) and EKS Pod Identity
/// (AWS_CONTAINER_CREDENTIALS_FULL_URI + an Authorization token).
public struct ContainerCredentialsProvider: AWSCredentialsProvider {
    public let environment: [String: String]
    /// Where relative URIs point; the ECS agent's address unless a test serves it locally.
    public let relativeURIHost: String
    public let timeout: Duration
    let client: HTTPClient

    public init(environment: [String: String], httpClient: HTTPClient,
                relativeURIHost: String = "http://169.254.170.2", timeout: Duration = .seconds(2)) {
        self.environment = environment
        self.client = httpClient
        self.relativeURIHost = relativeURIHost
        self.timeout = timeout
    }

    public func credentials() async throws -> AWSCredentials {
        var headers: [(String, String)] = []
        let url: String
        if let relative = nonEmptySetting(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            url = relativeURIHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = nonEmptySetting(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
            guard Self.isAllowed(full) else {
                throw failure("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback, ECS or EKS address: \(full)")
            }
            url = full
            if let token = try authorizationToken() { headers.append(("Authorization", token)) }
        } else {
            throw CredentialsProviderError(provider: "container", kind: .notConfigured,
                                           reason: "AWS_CONTAINER_CREDENTIALS_* not set")
        }
        let http = MetadataHTTP(client: client, provider: "container", timeout: timeout, attempts: 2)
        let response = try await http.send(.GET, url, headers: headers)
        guard response.status == 200 else {
            throw failure("GET \(url) returned HTTP \(response.status)")
        }
        return try CredentialsJSON.decode(response.body, provider: "container", source: "container")
    }

    /// The token file (EKS rotates it, so it is read on every fetch) wins over the variable.
    private func authorizationToken() throws -> String? {
        if let path = nonEmptySetting(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw failure("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nonEmptySetting(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
    }

    /// The SDKs refuse plain http to arbitrary hosts: the token and the credentials would cross
    /// the network in clear. No DNS lookup here, so only literal addresses and "localhost" pass.
    static func isAllowed(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else { return false }
        if scheme == "https" { return true }
        guard scheme == "http", var host = components.host?.lowercased() else { return false }
        host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host == "localhost" || host.hasPrefix("127.") || host == "::1"
            || host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23"
    }

    private func failure(_ reason: String) -> CredentialsProviderError {
        CredentialsProviderError(provider: "container", kind: .failed, reason: reason)
    }
}
