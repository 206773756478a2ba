import FlowAWS
import FlowEngine
import FlowLua
import FlowPluginSupport
import FlowTestSupport
import Foundation
import Synchronization

/// Shared by the Route53 and failback suites; names start with `R53` so they cannot collide with
/// another suite's helpers in this target.
enum R53Test {
    static func context(attempt: Int = 1, settings: StepSettings = StepSettings()) -> StepContext {
        StepContext(executionID: "t", seq: 1, attempt: attempt, settings: settings)
    }

    /// An environment for `endpoint` only: no shared config files, static test keys, fast client retries.
    static func environment(endpoint: String, region: String? = "us-east-1",
                            retry: FlowAWS.RetryPolicy = FlowAWS.RetryPolicy(base: .milliseconds(10))) -> AWSStepEnvironment {
        var env = [
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/nonexistent/flow-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/flow-test-credentials",
        ]
        if let region { env["AWS_REGION"] = region }
        return AWSStepEnvironment(environment: env, retryPolicy: retry)
    }

    /// Runs `body` and always shuts the environment's HTTP client down.
    static func with<T>(_ aws: AWSStepEnvironment, _ body: (AWSStepEnvironment) async throws -> T) async throws -> T {
        do {
            let result = try await body(aws)
            await aws.shutdown()
            return result
        } catch {
            await aws.shutdown()
            throw error
        }
    }

    static func function(_ plugin: any StepPlugin, _ name: String) -> StepFunction {
        guard let f = plugin.functions.first(where: { $0.name == name }) else { fatalError("no \(plugin.name).\(name)") }
        return f
    }

    static func table(_ fields: [String: LuaValue]) -> LuaValue { .table(fields) }

    static func weights(_ w: [String: Int]) -> LuaValue { .table(w.mapValues { .int(Int64($0)) }) }

    /// The failure a call threw, or nil (recorded as a test issue by the caller's #expect).
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

    static func argumentError(_ body: () async throws -> Void) async -> StepArgumentError? {
        do {
            try await body()
            return nil
        } catch let e as StepArgumentError {
            return e
        } catch {
            return StepArgumentError(path: ["<unexpected>"], problem: "\(error)")
        }
    }

    static let albZone = "Z35SXDOTRQ7X7K"

    static func cname(_ name: String, _ set: String, _ weight: Int, _ target: String, ttl: Int = 60) -> Route53.RecordSet {
        .init(name: name, type: "CNAME", setIdentifier: set, weight: weight, ttl: ttl, values: [target])
    }

    static func alias(_ name: String, _ set: String, _ weight: Int, _ dns: String, type: String = "A") -> Route53.RecordSet {
        .init(name: name, type: type, setIdentifier: set, weight: weight,
              aliasTarget: .init(hostedZoneID: albZone, dnsName: dns, evaluateTargetHealth: true))
    }
}

/// Seeding moto with what flow itself never creates.
extension Route53 {
    /// The new zone's id.
    func r53CreateZone(_ name: String, privateIn vpc: String? = nil) async throws -> String {
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
        let zone = root?.child("HostedZone")
        var id = zone?.text("Id") ?? ""
        if id.hasPrefix("/hostedzone/") { id.removeFirst("/hostedzone/".count) }
        return id
    }

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
