import FlowAWS
import FlowEngine
import FlowLua
import FlowPluginSupport
import FlowRoute53
import FlowTestSupport
import Testing

/// A weighted set with a Route53 health check keeps it through set_weights: a change replaces
/// the whole set, so a lost HealthCheckId would silently stop Route53 checking that endpoint.
@Suite(.serialized) struct Route53HealthCheckTests {
    @Test func setWeightsKeepsTheHealthCheckOfEachSet() async throws {
        let moto = try await MotoServer.shared("plugins-route53-hc")
        var checked = R53Test.cname("hc.example.com.", "blue", 100, "blue.example.net")
        checked.healthCheckID = "11111111-2222-3333-4444-555555555555"
        let zoneID = try await R53Test.zone(moto.client(), [checked, R53Test.cname("hc.example.com.", "green", 0, "green.example.net")])
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint)) { aws in
            let set = try PluginTest.function(Route53Plugin(aws: aws), "set_weights")
            _ = try await set.call(.table(["zone": .string(zoneID), "record": "hc.example.com",
                                          "weights": R53Test.weights(["blue": 50, "green": 50])]), context: PluginTest.context())
        }
        let sets = try await withClient(moto.client()) { try await Route53(client: $0).listResourceRecordSets(zoneID: zoneID) }
        let blue = try #require(sets.first { $0.setIdentifier == "blue" })
        #expect(blue.weight == 50)
        #expect(blue.healthCheckID == "11111111-2222-3333-4444-555555555555")
        #expect(sets.first { $0.setIdentifier == "green" }?.healthCheckID == nil)
    }
}
