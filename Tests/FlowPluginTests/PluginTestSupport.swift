import FlowAWS
import FlowEngine
import FlowLua
import FlowPluginSupport
import FlowTestSupport
import Foundation
import Synchronization

/// Shared by the Route53 and failback suites; names start with `R53` so they cannot collide with
/// another suite's helpers in this target. What every suite uses is in `PluginTest`.
enum R53Test {
    static func table(_ fields: [String: LuaValue]) -> LuaValue { .table(fields) }

    static func weights(_ w: [String: Int]) -> LuaValue { .table(w.mapValues { .int(Int64($0)) }) }

    static let albZone = "Z35SXDOTRQ7X7K"

    static func cname(_ name: String, _ set: String, _ weight: Int, _ target: String, ttl: Int = 60) -> Route53.RecordSet {
        .init(name: name, type: "CNAME", setIdentifier: set, weight: weight, ttl: ttl, values: [target])
    }

    static func alias(_ name: String, _ set: String, _ weight: Int, _ dns: String, type: String = "A") -> Route53.RecordSet {
        .init(name: name, type: type, setIdentifier: set, weight: weight,
              aliasTarget: .init(hostedZoneID: albZone, dnsName: dns, evaluateTargetHealth: true))
    }

    /// Weighted alias A sets of `name`: blue at 100 and green at 0, to ALBs in `region`.
    static func blueGreen(_ name: String, region: String) -> [Route53.RecordSet] {
        [alias(name, "blue", 100, "blue-alb.\(region).elb.amazonaws.com."),
         alias(name, "green", 0, "green-alb.\(region).elb.amazonaws.com.")]
    }

    /// A new zone `zone` holding `records`, made through `client`, which is shut down after: its id.
    static func zone(_ client: AWSClient, _ records: [Route53.RecordSet], in zone: String = "example.com.") async throws -> String {
        try await withClient(client) { client in
            let zoneID = try await AWSSeed(client).hostedZone(zone)
            try await Route53(client: client).r53Create(zoneID, records)
            return zoneID
        }
    }
}

/// Seeding moto with what flow itself never creates (zones: `AWSSeed.hostedZone`).
extension Route53 {
    func r53Create(_ zoneID: String, _ records: [Route53.RecordSet]) async throws {
        _ = try await changeResourceRecordSets(zoneID: zoneID, changes: records.map { (.create, $0) })
    }

    /// The weighted sets of `name` by set identifier.
    func r53Sets(_ zoneID: String, _ name: String) async throws -> [String: Route53.RecordSet] {
        let all = try await listResourceRecordSets(zoneID: zoneID)
        return Dictionary(uniqueKeysWithValues: all.filter { $0.name == name }.compactMap { r in r.setIdentifier.map { ($0, r) } })
    }
}

/// A Route53 stand-in for what moto cannot do: changes that stay PENDING for a number of
/// GetChange polls, and changes that are accepted but not applied. One zone, "ZFAKE", holding
/// weighted A records of api.example.com.; it records every request.
final class R53FakeServer: Sendable {
    struct State {
        var weights: [String: Int]
        var pendingPolls: Int
        var applyChanges = true
        var polls = 0
        var changeBodies: [String] = []
    }

    let zoneID = "ZFAKE"
    let record = "api.example.com."
    /// A class around the Mutex, which as a noncopyable value cannot be captured by the route.
    final class Box: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let box: Box
    private let server: LocalHTTPServer

    var endpoint: String { server.baseURL }
    var requests: [LocalHTTPServer.Request] { server.requests }
    var changeBodies: [String] { box.state.withLock { $0.changeBodies } }
    var polls: Int { box.state.withLock { $0.polls } }

    /// `pendingPolls`: how many GetChange calls answer PENDING before INSYNC (Int.max: never INSYNC).
    init(weights: [String: Int], pendingPolls: Int, applyChanges: Bool = true) throws {
        let box = Box(State(weights: weights, pendingPolls: pendingPolls, applyChanges: applyChanges))
        self.box = box
        let record = self.record
        server = try LocalHTTPServer { request in
            Self.answer(request, box: box, record: record)
        }
    }

    func stop() { server.stop() }

    private static func answer(_ request: LocalHTTPServer.Request, box: Box, record: String) -> LocalHTTPServer.Response {
        let ns = "https://route53.amazonaws.com/doc/2013-04-01/"
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        switch (request.method, path) {
        case ("GET", "/2013-04-01/hostedzone/ZFAKE/rrset"):
            let weights = box.state.withLock { $0.weights }
            var sets = ""
            for (i, entry) in weights.sorted(by: { $0.key < $1.key }).enumerated() {
                let value = "<ResourceRecords><ResourceRecord><Value>10.0.0.\(i + 1)</Value></ResourceRecord></ResourceRecords>"
                sets += "<ResourceRecordSet><Name>\(record)</Name><Type>A</Type><SetIdentifier>\(entry.key)</SetIdentifier>"
                sets += "<Weight>\(entry.value)</Weight><TTL>60</TTL>\(value)</ResourceRecordSet>"
            }
            return .ok("<ListResourceRecordSetsResponse xmlns=\"\(ns)\"><ResourceRecordSets>\(sets)</ResourceRecordSets>"
                       + "<IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>")
        case ("POST", "/2013-04-01/hostedzone/ZFAKE/rrset/"):
            guard let root = try? AWSXMLNode.parse(Array(request.body.utf8)) else { return .init(status: 400, body: "") }
            box.state.withLock { s in
                s.changeBodies.append(request.body)
                guard s.applyChanges else { return }
                for change in root.members("ChangeBatch/Changes", item: "Change") {
                    guard let set = change.text("ResourceRecordSet/SetIdentifier"),
                          let weight = change.text("ResourceRecordSet/Weight").flatMap({ Int($0) }) else { continue }
                    s.weights[set] = weight
                }
            }
            return .ok("<ChangeResourceRecordSetsResponse xmlns=\"\(ns)\"><ChangeInfo><Id>/change/CFAKE1</Id>"
                       + "<Status>PENDING</Status><SubmittedAt>2024-01-01T00:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>")
        case ("GET", "/2013-04-01/change/CFAKE1"):
            let status = box.state.withLock { s in
                s.polls += 1
                return s.polls > s.pendingPolls ? "INSYNC" : "PENDING"
            }
            return .ok("<GetChangeResponse xmlns=\"\(ns)\"><ChangeInfo><Id>/change/CFAKE1</Id><Status>\(status)</Status>"
                       + "<SubmittedAt>2024-01-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>")
        default:
            return .init(status: 404, body: "<ErrorResponse><Error><Code>NoSuchResource</Code><Message>\(request.method) \(path)</Message></Error></ErrorResponse>")
        }
    }
}
