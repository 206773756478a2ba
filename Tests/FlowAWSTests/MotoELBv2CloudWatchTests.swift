import FlowTestSupport
import Foundation
import Testing
@testable import FlowAWS

extension MotoTests {
    @Suite struct ELBv2AndCloudWatch {
        @Test(arguments: ["us-east-1", "eu-west-3"])
        func loadBalancersTargetGroupsAndHealth(region: String) async throws {
            let moto = try await MotoServer.shared()
            try await withClient(moto.client(region: region)) { client in
                let seed = AWSSeed(client)
                let fixture = try await seed.loadBalancer("web", region: region)
                _ = try await seed.loadBalancer("api", region: region)
                let elb = ELBv2(client: client)
                // PageSize 1 makes every load balancer its own page, so the Marker loop is exercised.
                let lbs = try await elb.describeLoadBalancers(pageSize: 1)
                #expect(Set(lbs.map(\.name)) == ["web", "api"])
                #expect(lbs.first { $0.name == "web" }?.arn == fixture.loadBalancerArn)
                #expect(lbs.allSatisfy { $0.arn.contains(":\(region):") && $0.dnsName != nil })
                let groups = try await elb.describeTargetGroups(loadBalancerArn: fixture.loadBalancerArn)
                #expect(groups.map(\.arn) == [fixture.targetGroupArn])
                #expect(groups.first?.port == 80 && groups.first?.loadBalancerArns == [fixture.loadBalancerArn])
                let health = try await elb.describeTargetHealth(targetGroupArn: fixture.targetGroupArn)
                #expect(Set(health.map(\.id)) == ["10.0.0.5", "10.0.1.6"])
                #expect(health.allSatisfy { $0.port == 8080 && !$0.state.isEmpty })
            }
        }

        @Test func missingTargetGroupIsTypedError() async throws {
            let error = try await MotoTests.awsError { _ = try await ELBv2(client: $0).describeTargetGroups(names: ["nope"]) }
            #expect(error?.code == "TargetGroupNotFound" && error?.httpStatus == 400)
        }

        @Test func alarmsPageAndMetricData() async throws {
            let moto = try await MotoServer.shared()
            try await withClient(moto.client()) { client in
                let cw = CloudWatch(client: client), seed = AWSSeed(client)
                for i in 0..<3 { try await seed.alarm("web-5xx-\(i)", metric: "HTTPCode_Target_5XX_Count", namespace: "AWS/ApplicationELB") }
                try await seed.alarmState("web-5xx-1", "ALARM")
                let alarms = try await cw.describeAlarms(prefix: "web-5xx-")
                #expect(alarms.map(\.name).sorted() == ["web-5xx-0", "web-5xx-1", "web-5xx-2"])
                #expect(alarms.first { $0.name == "web-5xx-1" }?.state == "ALARM")
                let one = try await cw.describeAlarms(names: ["web-5xx-0"])
                #expect(one.map(\.name) == ["web-5xx-0"])
                #expect(one.first?.state != "ALARM")

                let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60)
                let dims = [CloudWatch.Dimension(name: "Service", value: "web")]
                try await seed.metricData(namespace: "Flow", metric: "Errors", dimensions: dims,
                                          values: [(now.addingTimeInterval(-120), 2), (now.addingTimeInterval(-120), 3), (now.addingTimeInterval(-60), 4)])
                let data = try await cw.getMetricData([.init(id: "errors", namespace: "Flow", metricName: "Errors", dimensions: dims)],
                                                      start: now.addingTimeInterval(-600), end: now.addingTimeInterval(60))
                #expect(data.map(\.id) == ["errors"])
                #expect(data.first?.values.reduce(0, +) == 9)
                #expect(data.first?.values.count == data.first?.timestamps.count)
            }
        }
    }
}
