@testable import FlowAWS
import FlowEngine
import FlowPluginSupport
import FlowTestSupport
import Foundation

/// Helpers of the ECS and health suites; one namespace so nothing collides with the other
/// suites' helpers in this target.
enum HealthTest {
    static let context = StepContext(executionID: "t", seq: 1, attempt: 1)

    /// An environment for `endpoint` only: static test keys, no shared config files, fast client retries.
    static func environment(endpoint: String, region: String = "us-east-1") -> AWSStepEnvironment {
        AWSStepEnvironment(environment: [
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": region,
            "AWS_CONFIG_FILE": "/nonexistent/flow-health-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/flow-health-test-credentials",
        ], retryPolicy: FlowAWS.RetryPolicy(maxAttempts: 2, base: .milliseconds(10)))
    }

    /// Runs `body` with an environment and always shuts its HTTP client down.
    static func with<T>(endpoint: String, region: String = "us-east-1",
                        _ body: (AWSStepEnvironment) async throws -> T) async throws -> T {
        let aws = environment(endpoint: endpoint, region: region)
        do {
            let result = try await body(aws)
            await aws.shutdown()
            return result
        } catch {
            await aws.shutdown()
            throw error
        }
    }

    /// The client the plugins would use, for seeding moto.
    static func client(_ aws: AWSStepEnvironment, region: String? = nil) throws -> AWSClient {
        try aws.client(region: region, context: context)
    }

    static func function(_ plugin: any StepPlugin, _ name: String) throws -> StepFunction {
        guard let f = plugin.functions.first(where: { $0.name == name }) else { throw StepFailure("Missing", "no \(plugin.name).\(name)") }
        return f
    }

    static func call(_ plugin: any StepPlugin, _ name: String, _ args: StepValue) async throws -> StepValue {
        try await function(plugin, name).call(args, context: context)
    }

    /// A gate's verdict, decoded back from what the engine would journal.
    static func gate(_ plugin: any StepPlugin, _ name: String, _ args: StepValue) async throws -> GateResult {
        let value = try await call(plugin, name, args)
        guard case .string(let status) = value["status"], let s = GateStatus(rawValue: status),
              case .string(let reason) = value["reason"] else { throw StepFailure("BadGate", "not a gate result: \(value)") }
        return GateResult(s, reason, value: value["value"].isNil ? nil : value["value"])
    }

    /// The StepFailure `body` threw, or nil.
    static func failure(_ body: () async throws -> Void) async -> StepFailure? {
        do {
            try await body()
            return nil
        } catch let f as StepFailure {
            return f
        } catch {
            return StepFailure("Unexpected", "\(type(of: error)): \(error)")
        }
    }

    /// The argument error validating `args` raised, or nil.
    static func argumentError(_ plugin: any StepPlugin, _ name: String, _ args: StepValue) -> StepArgumentError? {
        do {
            try function(plugin, name).validate(args)
            return nil
        } catch let e as StepArgumentError {
            return e
        } catch {
            return StepArgumentError(path: ["<unexpected>"], problem: "\(error)")
        }
    }

    static func int(_ v: StepValue) -> Int? {
        if case .int(let i) = v { return Int(i) }
        return nil
    }
}

/// ELBv2 and CloudWatch things flow never creates, made through the same client.
enum HealthSeed {
    static let ec2 = AWSService(id: "EC2", signingName: "ec2", endpointPrefix: "ec2",
                                wireProtocol: .query(version: "2016-11-15"), isGlobal: false)

    /// A VPC with two subnets, an ALB, and a target group `NAME-tg` with `targets` ip targets
    /// (port 8080) forwarded to by a listener. Returns the group's ARN.
    static func targetGroup(_ client: AWSClient, name: String = "green", targets: [String] = ["10.0.0.5", "10.0.1.6"],
                            region: String = "us-east-1") async throws -> String {
        var p = QueryParams()
        p.set("CidrBlock", "10.0.0.0/16")
        let vpc = try await client.query(ec2, "CreateVpc", p).text("vpc/vpcId") ?? ""
        var subnets: [String] = []
        for (i, zone) in ["a", "b"].enumerated() {
            var s = QueryParams()
            s.set("VpcId", vpc)
            s.set("CidrBlock", "10.0.\(i).0/24")
            s.set("AvailabilityZone", region + zone)
            subnets.append(try await client.query(ec2, "CreateSubnet", s).text("subnet/subnetId") ?? "")
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
        return tgArn
    }

    static func alarm(_ client: AWSClient, _ name: String, state: String) async throws {
        var p = QueryParams()
        p.set("AlarmName", name)
        p.set("MetricName", "HTTPCode_Target_5XX_Count")
        p.set("Namespace", "AWS/ApplicationELB")
        p.set("Statistic", "Sum")
        p.set("Period", 60)
        p.set("EvaluationPeriods", 1)
        p.set("Threshold", 5.0)
        p.set("ComparisonOperator", "GreaterThanThreshold")
        _ = try await client.query(.cloudwatch, "PutMetricAlarm", p)
        // moto never evaluates alarms (DESIGN.md): the state is whatever a test sets.
        var s = QueryParams()
        s.set("AlarmName", name)
        s.set("StateValue", state)
        s.set("StateReason", "set by test")
        _ = try await client.query(.cloudwatch, "SetAlarmState", s)
    }

    /// Datapoints `secondsAgo` before now, one call.
    static func metric(_ client: AWSClient, namespace: String = "Flow", metric: String, dimensions: [String: String],
                       points: [(secondsAgo: Double, value: Double)]) async throws {
        let formatter = ISO8601DateFormatter()
        var p = QueryParams()
        p.set("Namespace", namespace)
        p.structs("MetricData", points) { p, key, point in
            p.set("\(key).MetricName", metric)
            p.set("\(key).Value", point.value)
            p.set("\(key).Timestamp", formatter.string(from: Date().addingTimeInterval(-point.secondsAgo)))
            p.structs("\(key).Dimensions", dimensions.sorted { $0.key < $1.key }) { p, dkey, d in
                p.set("\(dkey).Name", d.key)
                p.set("\(dkey).Value", d.value)
            }
        }
        _ = try await client.query(.cloudwatch, "PutMetricData", p)
    }
}
