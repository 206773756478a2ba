import FlowTestSupport
import FlowAWS
import Testing

/// moto never splits these answers into pages, so the second page comes from a local server
/// answering like AWS does: each pager must ask for it with the token and merge both pages.
@Suite struct ClientPaginationTests {
    func withPages(_ route: @escaping LocalHTTPServer.Route, _ body: (AWSClient) async throws -> Void) async throws {
        let server = try LocalHTTPServer(route: route)
        defer { server.stop() }
        let url = server.baseURL
        let client = AWSClient(credentialsProvider: StaticCredentials(), resolver: { _ in (url, "us-east-1") })
        try await withClient(client) { try await body($0) }
    }

    @Test func ecsListTasksFollowsNextToken() async throws {
        try await withPages({ request in
            request.body.contains("\"nextToken\":\"p2\"")
                ? .ok(#"{"taskArns":["arn:task/2"]}"#)
                : .ok(#"{"taskArns":["arn:task/1"],"nextToken":"p2"}"#)
        }) { client in
            let arns = try await ECS(client: client).listTasks(cluster: "c")
            #expect(arns == ["arn:task/1", "arn:task/2"])
        }
    }

    @Test func cloudWatchDescribeAlarmsFollowsNextToken() async throws {
        @Sendable func page(_ name: String, next: String?) -> String {
            "<DescribeAlarmsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><DescribeAlarmsResult>"
                + "<MetricAlarms><member><AlarmName>\(name)</AlarmName><StateValue>OK</StateValue></member></MetricAlarms>"
                + (next.map { "<NextToken>\($0)</NextToken>" } ?? "")
                + "</DescribeAlarmsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAlarmsResponse>"
        }
        try await withPages({ request in
            request.body.contains("NextToken=t2") ? .ok(page("second", next: nil)) : .ok(page("first", next: "t2"))
        }) { client in
            let names = try await CloudWatch(client: client).describeAlarms().map(\.name)
            #expect(names == ["first", "second"])
        }
    }

    @Test func route53ListHostedZonesByNameFollowsTheNextZone() async throws {
        @Sendable func page(_ id: String, truncated: Bool) -> String {
            "<ListHostedZonesByNameResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><HostedZones>"
                + "<HostedZone><Id>/hostedzone/\(id)</Id><Name>\(id).example.com.</Name></HostedZone></HostedZones>"
                + "<IsTruncated>\(truncated)</IsTruncated>"
                + (truncated ? "<NextDNSName>z2.example.com.</NextDNSName><NextHostedZoneId>Z2</NextHostedZoneId>" : "")
                + "<MaxItems>1</MaxItems></ListHostedZonesByNameResponse>"
        }
        try await withPages({ request in
            request.path.contains("hostedzoneid=Z2") ? .ok(page("Z2", truncated: false)) : .ok(page("Z1", truncated: true))
        }) { client in
            let ids = try await Route53(client: client).listHostedZonesByName().map(\.id)
            #expect(ids == ["Z1", "Z2"])
        }
    }
}
