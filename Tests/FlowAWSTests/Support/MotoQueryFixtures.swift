import Foundation
@testable import FlowAWS

extension AWSService {
    /// EC2 exists here only to build the VPC that ELBv2 fixtures need.
    static let ec2 = AWSService(id: "EC2", signingName: "ec2", endpointPrefix: "ec2",
                                wireProtocol: .query(version: "2016-11-15"), isGlobal: false)
}

/// A VPC with two subnets in two zones, an ALB and a target group with two ip targets.
struct ELBFixture {
    var loadBalancerArn: String
    var targetGroupArn: String

    static func make(_ client: AWSClient, region: String = "us-east-1", name: String = "web") async throws -> ELBFixture {
        var p = QueryParams()
        p.set("CidrBlock", "10.0.0.0/16")
        let vpc = try await client.query(.ec2, "CreateVpc", p).text("vpc/vpcId") ?? ""
        var subnets: [String] = []
        for (i, zone) in ["a", "b"].enumerated() {
            var s = QueryParams()
            s.set("VpcId", vpc)
            s.set("CidrBlock", "10.0.\(i).0/24")
            s.set("AvailabilityZone", region + zone)
            subnets.append(try await client.query(.ec2, "CreateSubnet", s).text("subnet/subnetId") ?? "")
        }
        var lb = QueryParams()
        lb.set("Name", name)
        lb.list("Subnets", subnets)
        let lbArn = try await client.query(.elbv2, "CreateLoadBalancer", lb).members("LoadBalancers").first?.text("LoadBalancerArn") ?? ""
        var tg = QueryParams()
        tg.set("Name", "\(name)-blue")
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
        var targets = QueryParams()
        targets.set("TargetGroupArn", tgArn)
        targets.structs("Targets", ["10.0.0.5", "10.0.1.6"]) { p, key, ip in
            p.set("\(key).Id", ip)
            p.set("\(key).Port", 8080)
        }
        _ = try await client.query(.elbv2, "RegisterTargets", targets)
        return ELBFixture(loadBalancerArn: lbArn, targetGroupArn: tgArn)
    }
}

extension CloudWatch {
    func putMetricAlarm(name: String, metric: String, namespace: String) async throws {
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
    }

    /// moto never evaluates alarms (DESIGN.md): tests set their state.
    func setAlarmState(name: String, state: String) async throws {
        var p = QueryParams()
        p.set("AlarmName", name)
        p.set("StateValue", state)
        p.set("StateReason", "set by test")
        _ = try await client.query(.cloudwatch, "SetAlarmState", p)
    }

    func putMetricData(namespace: String, metric: String, dimensions: [Dimension], values: [(Date, Double)]) async throws {
        var p = QueryParams()
        p.set("Namespace", namespace)
        p.structs("MetricData", values) { p, key, v in
            p.set("\(key).MetricName", metric)
            p.set("\(key).Value", v.1)
            p.set("\(key).Timestamp", Self.iso8601(v.0))
            Self.dimensions(&p, "\(key).", dimensions)
        }
        _ = try await client.query(.cloudwatch, "PutMetricData", p)
    }
}
