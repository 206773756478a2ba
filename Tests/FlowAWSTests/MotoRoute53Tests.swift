import FlowTestSupport
import Testing
@testable import FlowAWS

extension MotoTests {
    @Suite struct Route53Tests {
        static func weighted(_ id: String, _ weight: Int, _ ip: String) -> Route53.RecordSet {
            .init(name: "api.example.com.", type: "A", setIdentifier: id, weight: weight, ttl: 60, values: [ip])
        }

        @Test func weightedRecordsRoundTripWithPaging() async throws {
            let moto = try await MotoServer.shared()
            try await withClient(moto.client(region: "eu-west-3")) { client in
                let r53 = Route53(client: client), seed = AWSSeed(client)
                let zoneID = try await seed.hostedZone("example.com.")
                _ = try await seed.hostedZone("other.org.")
                let zones = try await r53.listHostedZonesByName()
                #expect(zones.map(\.name) == ["example.com.", "other.org."])
                #expect(try await r53.listHostedZonesByName(dnsName: "other.org.").first?.id != zoneID)

                let change = try await r53.changeResourceRecordSets(zoneID: zoneID, changes: [
                    (.create, Self.weighted("blue", 100, "10.0.0.1")), (.create, Self.weighted("green", 0, "10.0.0.2")),
                    (.create, .init(name: "www.example.com.", type: "A", setIdentifier: "alias", weight: 5,
                                    aliasTarget: .init(hostedZoneID: "Z35SXDOTRQ7X7K", dnsName: "lb.example.com.",
                                                       evaluateTargetHealth: true))),
                ], comment: "start")
                #expect(!change.id.isEmpty && !change.id.hasPrefix("/"))
                #expect(["PENDING", "INSYNC"].contains(try await r53.getChange(id: change.id).status))

                _ = try await r53.changeResourceRecordSets(zoneID: zoneID, changes: [
                    (.upsert, Self.weighted("blue", 20, "10.0.0.1")), (.upsert, Self.weighted("green", 80, "10.0.0.2")),
                ])
                let records = try await r53.listResourceRecordSets(zoneID: zoneID)
                let weights = Dictionary(uniqueKeysWithValues: records.compactMap { r in r.setIdentifier.map { ($0, r) } })
                #expect(weights["blue"]?.weight == 20 && weights["green"]?.weight == 80)
                #expect(weights["green"]?.values == ["10.0.0.2"] && weights["green"]?.ttl == 60)
                #expect(weights["alias"]?.aliasTarget?.dnsName.hasPrefix("lb.example.com") == true)
                #expect(records.contains { $0.type == "SOA" } && records.count == 5)

                _ = try await r53.changeResourceRecordSets(zoneID: zoneID, changes: [(.delete, Self.weighted("blue", 20, "10.0.0.1"))])
                let after = try await r53.listResourceRecordSets(zoneID: zoneID)
                #expect(!after.contains { $0.setIdentifier == "blue" })
            }
        }

        /// moto ignores StartRecordIdentifier, so paging is shown on distinct names; the stall guard
        /// keeps a server like that from looping on weighted sets.
        @Test func recordSetsPageByName() async throws {
            let moto = try await MotoServer.shared()
            try await withClient(moto.client()) { client in
                let r53 = Route53(client: client)
                let zoneID = try await AWSSeed(client).hostedZone("example.org.")
                let names = (1...5).map { "h\($0).example.org." }
                _ = try await r53.changeResourceRecordSets(zoneID: zoneID, changes: names.map {
                    (.create, .init(name: $0, type: "A", ttl: 30, values: ["10.1.1.1"]))
                })
                let records = try await r53.listResourceRecordSets(zoneID: zoneID, maxItems: 1)
                #expect(Set(records.filter { $0.type == "A" }.map(\.name)) == Set(names))
                #expect(records.count == 7)
            }
        }

        @Test func missingZoneIsTypedError() async throws {
            let error = try await MotoTests.awsError { _ = try await Route53(client: $0).listResourceRecordSets(zoneID: "ZNOPE") }
            #expect(error?.code == "NoSuchHostedZone" && error?.httpStatus == 404)
            #expect(error?.message.contains("ZNOPE") == true)
        }

        @Test func invalidChangeBatchFromMoto() async throws {
            let moto = try await MotoServer.shared()
            try await withClient(moto.client()) { client in
                let r53 = Route53(client: client)
                let zoneID = try await AWSSeed(client).hostedZone("example.com.")
                // A name outside the zone is one of the few batch checks moto does make (DESIGN.md).
                let outside = Route53.RecordSet(name: "api.other.net.", type: "A", ttl: 60, values: ["10.9.9.9"])
                let error = await #expect(throws: AWSError.self) {
                    try await r53.changeResourceRecordSets(zoneID: zoneID, changes: [(.create, outside)])
                }
                #expect(error?.code == "InvalidChangeBatch" && error?.httpStatus == 400)
                #expect(error?.message.contains("api.other.net") == true)
            }
        }
    }
}
