import AsyncHTTPClient
import Foundation

/// No region anywhere the CLI would look. Lists the places so the user knows what to set.
public struct MissingRegionError: Error, Sendable, CustomStringConvertible {
    public var profile: String
    public var configPath: String

    public var description: String {
        "no AWS region configured; set --region, AWS_REGION or AWS_DEFAULT_REGION, "
            + "or 'region' in profile \(profile) of \(configPath)"
    }
}

/// Region and endpoints resolved the way the AWS CLI v2 resolves them.
public struct AWSConfig: Sendable {
    public var region: String
    /// The profile the settings came from (AWS_PROFILE, the explicit one, or "default").
    public var profile: String
    /// `AWS_ENDPOINT_URL_*` and `AWS_ENDPOINT_URL` as given, kept whole so `endpoint(for:)` can
    /// look up any service without re-reading the process environment.
    var endpointEnvironment: [String: String]
    /// The profile's `endpoint_url`.
    var profileEndpointURL: String?
    /// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true or the profile's ignore_configured_endpoint_urls.
    var ignoreConfiguredEndpoints: Bool

    public init(region: String, profile: String = "default", endpointEnvironment: [String: String] = [:],
                profileEndpointURL: String? = nil) {
        self.region = region
        self.profile = profile
        self.endpointEnvironment = endpointEnvironment
        self.profileEndpointURL = profileEndpointURL
        self.ignoreConfiguredEndpoints = false
    }

    /// explicit → AWS_REGION → AWS_DEFAULT_REGION → profile `region`.
    public static func resolve(environment: [String: String], explicitRegion: String?, profile: String?) throws -> AWSConfig {
        let profileName = nonEmptySetting(profile) ?? nonEmptySetting(environment["AWS_PROFILE"]) ?? "default"
        let shared = try SharedConfig.load(environment: environment)
        let settings = shared.configProfile(profileName) ?? [:]
        guard let region = nonEmptySetting(explicitRegion) ?? nonEmptySetting(environment["AWS_REGION"])
            ?? nonEmptySetting(environment["AWS_DEFAULT_REGION"]) ?? nonEmptySetting(settings["region"])
        else {
            throw MissingRegionError(profile: profileName, configPath: shared.configDisplayPath)
        }
        var config = AWSConfig(
            region: region, profile: profileName,
            endpointEnvironment: environment.filter { $0.key.hasPrefix("AWS_ENDPOINT_URL") },
            profileEndpointURL: nonEmptySetting(settings["endpoint_url"]))
        let ignore = nonEmptySetting(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"])
            ?? nonEmptySetting(settings["ignore_configured_endpoint_urls"])
        config.ignoreConfiguredEndpoints = ignore?.lowercased() == "true"
        return config
    }

    /// The default credentials chain for this environment (see `CredentialsChain.defaultChain`).
    public static func defaultChain(environment: [String: String], httpClient: HTTPClient) -> CredentialsChain {
        CredentialsChain.defaultChain(environment: environment, httpClient: httpClient)
    }

    /// `AWS_ENDPOINT_URL_<SERVICE_ID>` → `AWS_ENDPOINT_URL` → profile `endpoint_url` → the
    /// partition's default. A configured endpoint is signed for the configured region (as the
    /// SDK endpoint rules do); the default endpoint of a global service signs for its home region.
    public func endpoint(for service: AWSService) -> (url: String, signingRegion: String) {
        if !ignoreConfiguredEndpoints, let configured = configuredEndpoint(for: service) {
            return (trimSlash(configured), region)
        }
        return AWSConfig.defaultEndpoint(for: service, region: region)
    }

    /// "Elastic Load Balancing v2" → AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2.
    public static func endpointVariable(for service: AWSService) -> String {
        "AWS_ENDPOINT_URL_" + service.id.uppercased().replacingOccurrences(of: " ", with: "_")
    }

    public static func defaultEndpoint(for service: AWSService, region: String) -> (url: String, signingRegion: String) {
        let partition = Partition(region: region)
        if service.isGlobal {
            switch partition {
            case .aws: return ("https://\(service.endpointPrefix).amazonaws.com", "us-east-1")
            case .china: return ("https://\(service.endpointPrefix).amazonaws.com.cn", "cn-northwest-1")
            case .govCloud: return ("https://\(service.endpointPrefix).us-gov.amazonaws.com", "us-gov-west-1")
            }
        }
        return ("https://\(service.endpointPrefix).\(region).\(partition.dnsSuffix)", region)
    }

    private func configuredEndpoint(for service: AWSService) -> String? {
        let specific = AWSConfig.endpointVariable(for: service)
        // The issue spells Route53's variable without the space; accept it after the canonical one.
        let alias = "AWS_ENDPOINT_URL_" + service.id.uppercased().replacingOccurrences(of: " ", with: "")
        return nonEmptySetting(endpointEnvironment[specific]) ?? nonEmptySetting(endpointEnvironment[alias])
            ?? nonEmptySetting(endpointEnvironment["AWS_ENDPOINT_URL"]) ?? profileEndpointURL
    }

    private func trimSlash(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

enum Partition {
    case aws, china, govCloud

    init(region: String) {
        if region.hasPrefix("cn-") { self = .china }
        else if region.hasPrefix("us-gov-") { self = .govCloud }
        else { self = .aws }
    }

    var dnsSuffix: String { self == .china ? "amazonaws.com.cn" : "amazonaws.com" }
}

func nonEmptySetting(_ value: String?) -> String? {
    guard let value else { return nil }
    let trimmed = value.trimmedINIWhitespace()
    return trimmed.isEmpty ? nil : String(trimmed)
}
