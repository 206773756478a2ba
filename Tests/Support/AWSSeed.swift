import Foundation
import FlowAWS

/// Creating what flow itself never creates (hosted zones, load balancers, alarms, metric data,
/// clusters, services, tasks) in moto or the fixture, through the same client and wire protocols
/// as the code under test. One set of seeding calls for the AWS client tests and the plugin tests.
public struct AWSSeed: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    // MARK: Route53

    /// A new hosted zone's id (without "/hostedzone/"); a private zone of `vpc` (in us-east-1) when given.
    public func hostedZone(_ name: String, privateIn vpc: String? = nil) async throws -> String {
        var w = XMLWriter()
        w.open("CreateHostedZoneRequest", xmlns: "https://route53.amazonaws.com/doc/2013-04-01/")
        w.element("Name", name)
        w.element("CallerReference", "flow-test-\(UUID().uuidString)")
        if let vpc {
            w.element("VPC") { w in
                w.element("VPCRegion", "us-east-1")
                w.element("VPCId", vpc)
            }
            w.element("HostedZoneConfig") { $0.element("PrivateZone", "true") }
        }
        w.close("CreateHostedZoneRequest")
        let root = try await client.restXML(.route53, "CreateHostedZone", method: "POST", path: "/2013-04-01/hostedzone", body: w.output)
        var id = root?.child("HostedZone")?.text("Id") ?? ""
        if id.hasPrefix("/hostedzone/") { id.removeFirst("/hostedzone/".count) }
        return id
    }

    // MARK: ELBv2

    /// EC2 exists here only to build the VPC a load balancer needs. AWSService has no public
    /// initializer, so this is ELBv2's description with every field replaced.
    public static let ec2: AWSService = {
        var ec2 = AWSService.elbv2
        ec2.id = "EC2"
        ec2.signingName = "ec2"
        ec2.endpointPrefix = "ec2"
        ec2.wireProtocol = .query(version: "2016-11-15")
        ec2.isGlobal = false
        return ec2
    }()

    public struct LoadBalancer: Sendable {
        public var loadBalancerArn: String
        public var targetGroupArn: String
    }

    /// A VPC with two subnets in two zones of `region`, an ALB `name`, and a target group
    /// `NAME-tg` (HTTP:80) that a listener forwards to, with `targets` registered as ip targets
    /// on port 8080.
    public func loadBalancer(_ name: String, targets: [String] = ["10.0.0.5", "10.0.1.6"],
                             region: String = "us-east-1") async throws -> LoadBalancer {
        var p = QueryParams()
        p.set("CidrBlock", "10.0.0.0/16")
        let vpc = try await client.query(Self.ec2, "CreateVpc", p).text("vpc/vpcId") ?? ""
        var subnets: [String] = []
        for (i, zone) in ["a", "b"].enumerated() {
            var s = QueryParams()
            s.set("VpcId", vpc)
            s.set("CidrBlock", "10.0.\(i).0/24")
            s.set("AvailabilityZone", region + zone)
            subnets.append(try await client.query(Self.ec2, "CreateSubnet", s).text("subnet/subnetId") ?? "")
        }
        var lb = QueryParams()
        lb.set("Name", name)
        lb.list("Subnets", subnets)
        let lbArn = try await client.query(.elbv2, "CreateLoadBalancer", lb).members("LoadBalancers").first?.text("LoadBalancerArn") ?? ""
        var tg = QueryParams()
        tg.set("Name", "\(name)-tg")
        tg.set("Protocol", "HTTP")
        tg.set("Port", 80)
        tg.set("VpcId", vpc)
        tg.set("TargetType", "ip")
        let tgArn = try await client.query(.elbv2, "CreateTargetGroup", tg).members("TargetGroups").first?.text("TargetGroupArn") ?? ""
        var listener = QueryParams()
        listener.set("LoadBalancerArn", lbArn)
        listener.set("Protocol", "HTTP")
        listener.set("Port", 80)
        listener.set("DefaultActions.member.1.Type", "forward")
        listener.set("DefaultActions.member.1.TargetGroupArn", tgArn)
        _ = try await client.query(.elbv2, "CreateListener", listener)
        if !targets.isEmpty {
            var t = QueryParams()
            t.set("TargetGroupArn", tgArn)
            t.structs("Targets", targets) { p, key, ip in
                p.set("\(key).Id", ip)
                p.set("\(key).Port", 8080)
            }
            _ = try await client.query(.elbv2, "RegisterTargets", t)
        }
        return LoadBalancer(loadBalancerArn: lbArn, targetGroupArn: tgArn)
    }

    // MARK: CloudWatch

    /// An alarm on `metric` (Sum over 60 s above 5), then put in `state` when one is given.
    public func alarm(_ name: String, metric: String = "HTTPCode_Target_5XX_Count", namespace: String = "AWS/ApplicationELB",
                      state: String? = nil) async throws {
        var p = QueryParams()
        p.set("AlarmName", name)
        p.set("MetricName", metric)
        p.set("Namespace", namespace)
        p.set("Statistic", "Sum")
        p.set("Period", 60)
        p.set("EvaluationPeriods", 1)
        p.set("Threshold", 5.0)
        p.set("ComparisonOperator", "GreaterThanThreshold")
        _ = try await client.query(.cloudwatch, "PutMetricAlarm", p)
        if let state { try await alarmState(name, state) }
    }

    /// moto never evaluates alarms (DESIGN.md): the state is whatever a test sets, for the reason "set by test".
    public func alarmState(_ name: String, _ state: String) async throws {
        var p = QueryParams()
        p.set("AlarmName", name)
        p.set("StateValue", state)
        p.set("StateReason", "set by test")
        _ = try await client.query(.cloudwatch, "SetAlarmState", p)
    }

    /// Datapoints of one metric, in one call; dimensions in the order given.
    public func metricData(namespace: String, metric: String, dimensions: [CloudWatch.Dimension],
                           values: [(Date, Double)]) async throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var p = QueryParams()
        p.set("Namespace", namespace)
        p.structs("MetricData", values) { p, key, v in
            p.set("\(key).MetricName", metric)
            p.set("\(key).Value", v.1)
            p.set("\(key).Timestamp", formatter.string(from: v.0))
            p.structs("\(key).Dimensions", dimensions) { p, dkey, d in
                p.set("\(dkey).Name", d.name)
                p.set("\(dkey).Value", d.value)
            }
        }
        _ = try await client.query(.cloudwatch, "PutMetricData", p)
    }

    // MARK: ECS

    public func cluster(_ name: String) async throws {
        struct In: Encodable { var clusterName: String }
        _ = try await client.json(.ecs, "CreateCluster", In(clusterName: name), as: EmptyOutput.self)
    }

    /// The new revision; its one container is named `app` (256 MiB).
    public func taskDefinition(family: String, image: String) async throws -> ECS.TaskDefinition {
        struct In: Encodable { var family: String; var containerDefinitions: [ECS.ContainerDefinition] }
        struct Out: Decodable { var taskDefinition: ECS.TaskDefinition }
        return try await client.json(.ecs, "RegisterTaskDefinition",
                                     In(family: family, containerDefinitions: [.init(name: "app", image: image, memory: 256)]),
                                     as: Out.self).taskDefinition
    }

    public func service(_ name: String, cluster: String, taskDefinition: String, desiredCount: Int) async throws {
        struct In: Encodable { var cluster: String; var serviceName: String; var taskDefinition: String; var desiredCount: Int }
        _ = try await client.json(.ecs, "CreateService", In(cluster: cluster, serviceName: name, taskDefinition: taskDefinition,
                                                            desiredCount: desiredCount), as: EmptyOutput.self)
    }

    /// moto's services never start tasks (DESIGN.md): start them as the service would, in its group.
    public func runTask(cluster: String, taskDefinition: String, group: String, count: Int = 1) async throws -> [ECS.Task] {
        struct In: Encodable { var cluster: String; var taskDefinition: String; var group: String; var count: Int; var launchType = "FARGATE" }
        struct Out: Decodable { var tasks: [ECS.Task]? }
        return try await client.json(.ecs, "RunTask", In(cluster: cluster, taskDefinition: taskDefinition, group: group, count: count),
                                     as: Out.self).tasks ?? []
    }

    public func stopTask(cluster: String, task: String, reason: String) async throws {
        struct In: Encodable { var cluster: String; var task: String; var reason: String }
        _ = try await client.json(.ecs, "StopTask", In(cluster: cluster, task: task, reason: reason), as: EmptyOutput.self)
    }
}
