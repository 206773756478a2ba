/// Elastic Load Balancing v2 over Query.
public struct ELBv2: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    public struct TargetHealth: Sendable, Equatable {
        public var id: String
        public var port: Int?
        /// initial, healthy, unhealthy, unused, draining, unavailable.
        public var state: String
        public var reason: String?
        public var description: String?
    }

    public struct TargetGroup: Sendable, Equatable {
        public var arn: String
        public var name: String
        public var port: Int?
        public var protocolName: String?
        public var vpcID: String?
        public var loadBalancerArns: [String]
    }

    public struct LoadBalancer: Sendable, Equatable {
        public var arn: String
        public var name: String
        public var dnsName: String?
        public var canonicalHostedZoneID: String?
        public var state: String?
        public var type: String?
    }

    public func describeTargetHealth(targetGroupArn: String) async throws -> [TargetHealth] {
        var p = QueryParams()
        p.set("TargetGroupArn", targetGroupArn)
        let result = try await client.query(.elbv2, "DescribeTargetHealth", p)
        return result.members("TargetHealthDescriptions").map { d in
            TargetHealth(id: d.text("Target/Id") ?? "", port: d.text("Target/Port").flatMap { Int($0) },
                         state: d.text("TargetHealth/State") ?? "", reason: d.text("TargetHealth/Reason"),
                         description: d.text("TargetHealth/Description"))
        }
    }

    /// Follows NextMarker across pages.
    public func describeTargetGroups(arns: [String]? = nil, names: [String]? = nil,
                                     loadBalancerArn: String? = nil) async throws -> [TargetGroup] {
        var base = QueryParams()
        base.list("TargetGroupArns", arns)
        base.list("Names", names)
        base.set("LoadBalancerArn", loadBalancerArn)
        return try await paged("DescribeTargetGroups", base) { result in
            result.members("TargetGroups").map { g in
                TargetGroup(arn: g.text("TargetGroupArn") ?? "", name: g.text("TargetGroupName") ?? "",
                            port: g.text("Port").flatMap { Int($0) }, protocolName: g.text("Protocol"),
                            vpcID: g.text("VpcId"), loadBalancerArns: g.members("LoadBalancerArns").map { $0.text("") ?? "" })
            }
        }
    }

    /// Follows NextMarker across pages.
    public func describeLoadBalancers(arns: [String]? = nil, names: [String]? = nil, pageSize: Int? = nil) async throws -> [LoadBalancer] {
        var base = QueryParams()
        base.list("LoadBalancerArns", arns)
        base.list("Names", names)
        base.set("PageSize", pageSize)
        return try await paged("DescribeLoadBalancers", base) { result in
            result.members("LoadBalancers").map { lb in
                LoadBalancer(arn: lb.text("LoadBalancerArn") ?? "", name: lb.text("LoadBalancerName") ?? "",
                             dnsName: lb.text("DNSName"), canonicalHostedZoneID: lb.text("CanonicalHostedZoneId"),
                             state: lb.text("State/Code"), type: lb.text("Type"))
            }
        }
    }

    private func paged<T>(_ action: String, _ base: QueryParams, _ items: (AWSXMLNode) -> [T]) async throws -> [T] {
        var all: [T] = []
        var marker: String?
        for _ in 0..<100_000 {
            var p = base
            p.set("Marker", marker)
            let result = try await client.query(.elbv2, action, p)
            all += items(result)
            guard let next = result.text("NextMarker"), !next.isEmpty, next != marker else { break }
            marker = next
        }
        return all
    }
}
