import Testing
@testable import FlowAWS

@Suite struct ConfigResolutionTests {
    static let profileConfig = """
        [default]
        region = ap-southeast-2
        [profile local]
        region = eu-west-3
        endpoint_url = http://localhost:4566/
        """

    @Test(arguments: [
        // (explicit, AWS_REGION, AWS_DEFAULT_REGION, profile, expected)
        ("us-west-1", "eu-west-3", "eu-central-1", nil, "us-west-1"),
        (nil, "eu-west-3", "eu-central-1", nil, "eu-west-3"),
        (nil, nil, "eu-central-1", nil, "eu-central-1"),
        (nil, nil, nil, nil, "ap-southeast-2"),
        (nil, nil, nil, "local", "eu-west-3"),
        (nil, "", "", "local", "eu-west-3"),
    ] as [(String?, String?, String?, String?, String)])
    func regionPrecedence(explicit: String?, region: String?, defaultRegion: String?, profile: String?, expected: String) throws {
        let home = try TemporaryHome(config: Self.profileConfig)
        defer { home.remove() }
        var environment = home.environment
        environment["AWS_REGION"] = region
        environment["AWS_DEFAULT_REGION"] = defaultRegion
        let config = try AWSConfig.resolve(environment: environment, explicitRegion: explicit, profile: profile)
        #expect(config.region == expected)
    }

    @Test func awsProfileSelectsTheProfile() throws {
        let home = try TemporaryHome(config: Self.profileConfig)
        defer { home.remove() }
        var environment = home.environment
        environment["AWS_PROFILE"] = "local"
        let config = try AWSConfig.resolve(environment: environment, explicitRegion: nil, profile: nil)
        #expect(config.region == "eu-west-3" && config.profile == "local")
    }

    @Test func noRegionIsAClearError() throws {
        let home = try TemporaryHome()
        defer { home.remove() }
        #expect {
            try AWSConfig.resolve(environment: home.environment, explicitRegion: nil, profile: nil)
        } throws: { error in
            let text = "\(error)"
            return error is MissingRegionError && text.contains("AWS_REGION") && text.contains("--region")
                && text.contains("~/.aws/config")
        }
    }

    @Test(arguments: [
        (AWSService.ecs, "eu-west-3", "https://ecs.eu-west-3.amazonaws.com", "eu-west-3"),
        (AWSService.sqs, "ap-southeast-2", "https://sqs.ap-southeast-2.amazonaws.com", "ap-southeast-2"),
        (AWSService.cloudwatch, "cn-north-1", "https://monitoring.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        (AWSService.elbv2, "us-gov-west-1", "https://elasticloadbalancing.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        (AWSService.eventbridge, "eu-west-3", "https://events.eu-west-3.amazonaws.com", "eu-west-3"),
        (AWSService.route53, "eu-west-3", "https://route53.amazonaws.com", "us-east-1"),
        (AWSService.route53, "ap-southeast-2", "https://route53.amazonaws.com", "us-east-1"),
        (AWSService.route53, "cn-north-1", "https://route53.amazonaws.com.cn", "cn-northwest-1"),
        (AWSService.route53, "us-gov-east-1", "https://route53.us-gov.amazonaws.com", "us-gov-west-1"),
    ])
    func defaultEndpoints(service: AWSService, region: String, url: String, signingRegion: String) {
        let endpoint = AWSConfig(region: region).endpoint(for: service)
        #expect(endpoint.url == url && endpoint.signingRegion == signingRegion)
    }

    @Test(arguments: [
        ("AWS_ENDPOINT_URL_ROUTE_53", AWSService.route53),
        ("AWS_ENDPOINT_URL_ROUTE53", AWSService.route53),
        ("AWS_ENDPOINT_URL_ECS", AWSService.ecs),
        ("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", AWSService.elbv2),
        ("AWS_ENDPOINT_URL_CLOUDWATCH", AWSService.cloudwatch),
        ("AWS_ENDPOINT_URL_SQS", AWSService.sqs),
        ("AWS_ENDPOINT_URL_EVENTBRIDGE", AWSService.eventbridge),
    ])
    func serviceEndpointVariables(variable: String, service: AWSService) throws {
        let home = try TemporaryHome(config: Self.profileConfig)
        defer { home.remove() }
        var environment = home.environment
        environment[variable] = "http://127.0.0.1:5000/"
        environment["AWS_ENDPOINT_URL"] = "http://global:1"
        let config = try AWSConfig.resolve(environment: environment, explicitRegion: "eu-west-3", profile: "local")
        #expect(config.endpoint(for: service) == ("http://127.0.0.1:5000", "eu-west-3"))
        // Other services fall through to AWS_ENDPOINT_URL.
        let other: AWSService = service == .sqs ? .ecs : .sqs
        #expect(config.endpoint(for: other).url == "http://global:1")
    }

    @Test func canonicalVariableBeatsAlias() {
        let config = AWSConfig(region: "eu-west-3", endpointEnvironment: [
            "AWS_ENDPOINT_URL_ROUTE_53": "http://canonical", "AWS_ENDPOINT_URL_ROUTE53": "http://alias"])
        #expect(config.endpoint(for: .route53).url == "http://canonical")
        #expect(AWSConfig.endpointVariable(for: .elbv2) == "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2")
    }

    @Test func profileEndpointThenDefault() throws {
        let home = try TemporaryHome(config: Self.profileConfig)
        defer { home.remove() }
        let local = try AWSConfig.resolve(environment: home.environment, explicitRegion: nil, profile: "local")
        #expect(local.endpoint(for: .route53) == ("http://localhost:4566", "eu-west-3"))
        var environment = home.environment
        environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        let ignoring = try AWSConfig.resolve(environment: environment, explicitRegion: nil, profile: "local")
        #expect(ignoring.endpoint(for: .ecs) == ("https://ecs.eu-west-3.amazonaws.com", "eu-west-3"))
        let plain = try AWSConfig.resolve(environment: home.environment, explicitRegion: nil, profile: nil)
        #expect(plain.endpoint(for: .sqs) == ("https://sqs.ap-southeast-2.amazonaws.com", "ap-southeast-2"))
    }
}
