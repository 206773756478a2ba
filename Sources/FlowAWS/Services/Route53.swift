/// Route53 over REST-XML: enough to shift weighted records during a rollout.
public struct Route53: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    static let xmlns = "https://route53.amazonaws.com/doc/2013-04-01/"

    public struct HostedZone: Sendable, Equatable {
        /// Without the "/hostedzone/" prefix.
        public var id: String
        public var name: String
    }

    public struct AliasTarget: Sendable, Equatable {
        public var hostedZoneID: String
        public var dnsName: String
        public var evaluateTargetHealth: Bool
        public init(hostedZoneID: String, dnsName: String, evaluateTargetHealth: Bool) {
            self.hostedZoneID = hostedZoneID; self.dnsName = dnsName; self.evaluateTargetHealth = evaluateTargetHealth
        }
    }

    public struct RecordSet: Sendable, Equatable {
        public var name: String
        public var type: String
        public var setIdentifier: String?
        public var weight: Int?
        public var ttl: Int?
        public var values: [String]
        public var aliasTarget: AliasTarget?
        /// A Route53 health check attached to the set: a change replaces the whole set, so
        /// dropping this would silently detach the check.
        public var healthCheckID: String?
        public init(name: String, type: String, setIdentifier: String? = nil, weight: Int? = nil, ttl: Int? = nil,
                    values: [String] = [], aliasTarget: AliasTarget? = nil, healthCheckID: String? = nil) {
            self.name = name; self.type = type; self.setIdentifier = setIdentifier; self.weight = weight
            self.ttl = ttl; self.values = values; self.aliasTarget = aliasTarget; self.healthCheckID = healthCheckID
        }
    }

    public enum Action: String, Sendable { case create = "CREATE", upsert = "UPSERT", delete = "DELETE" }

    public struct ChangeInfo: Sendable, Equatable {
        /// Without the "/change/" prefix (moto omits it anyway).
        public var id: String
        /// "PENDING" or "INSYNC".
        public var status: String
    }

    static func stripPrefix(_ id: String) -> String {
        for prefix in ["/hostedzone/", "/change/"] where id.hasPrefix(prefix) { return String(id.dropFirst(prefix.count)) }
        return id
    }

    /// Zones from `dnsName` on, in name order; follows NextDNSName/NextHostedZoneId to the end.
    public func listHostedZonesByName(dnsName: String? = nil) async throws -> [HostedZone] {
        var zones: [HostedZone] = []
        var next: (String?, String?) = (dnsName, nil)
        for _ in 0..<10_000 {
            var query: [(String, String)] = []
            if let name = next.0 { query.append(("dnsname", name)) }
            if let id = next.1 { query.append(("hostedzoneid", id)) }
            guard let root = try await client.restXML(.route53, "ListHostedZonesByName", method: "GET",
                                                      path: "/2013-04-01/hostedzonesbyname", query: query) else { break }
            zones += root.members("HostedZones", item: "HostedZone").map {
                HostedZone(id: Self.stripPrefix($0.text("Id") ?? ""), name: $0.text("Name") ?? "")
            }
            guard root.text("IsTruncated") == "true" else { break }
            let following = (root.text("NextDNSName"), root.text("NextHostedZoneId"))
            guard following != next else { break }
            next = following
        }
        return zones
    }

    /// Every record set of the zone, following StartRecordName/Type/Identifier.
    public func listResourceRecordSets(zoneID: String, maxItems: Int? = nil) async throws -> [RecordSet] {
        var records: [RecordSet] = []
        var start: (name: String, type: String, id: String?)?
        var seen: Set<String> = []
        for _ in 0..<100_000 {
            var query: [(String, String)] = []
            if let start {
                query += [("name", start.name), ("type", start.type)]
                if let id = start.id { query.append(("identifier", id)) }
            }
            if let maxItems { query.append(("maxitems", "\(maxItems)")) }
            guard let root = try await client.restXML(.route53, "ListResourceRecordSets", method: "GET",
                                                      path: "/2013-04-01/hostedzone/\(zoneID)/rrset", query: query) else { break }
            records += root.members("ResourceRecordSets", item: "ResourceRecordSet").map(Self.recordSet)
            guard root.text("IsTruncated") == "true", let name = root.text("NextRecordName"),
                  let type = root.text("NextRecordType") else { break }
            let id = root.text("NextRecordIdentifier")
            // A server that ignores the identifier (moto) would hand back the same page forever.
            guard seen.insert("\(name)|\(type)|\(id ?? "")").inserted else {
                throw AWSError(service: AWSService.route53.id, operation: "ListResourceRecordSets", code: "PaginationStalled",
                               message: "the next page starts where this one did (\(name) \(type))")
            }
            start = (name, type, id)
        }
        return records
    }

    static func recordSet(_ node: AWSXMLNode) -> RecordSet {
        let alias = node.child("AliasTarget").map {
            AliasTarget(hostedZoneID: $0.text("HostedZoneId") ?? "", dnsName: $0.text("DNSName") ?? "",
                        evaluateTargetHealth: $0.text("EvaluateTargetHealth") == "true")
        }
        return RecordSet(name: node.text("Name") ?? "", type: node.text("Type") ?? "",
                         setIdentifier: node.text("SetIdentifier"), weight: node.text("Weight").flatMap { Int($0) },
                         ttl: node.text("TTL").flatMap { Int($0) },
                         values: node.members("ResourceRecords", item: "ResourceRecord").compactMap { $0.text("Value") },
                         aliasTarget: alias, healthCheckID: node.text("HealthCheckId"))
    }

    /// One atomic batch (on real AWS; not on moto, see DESIGN.md).
    public func changeResourceRecordSets(zoneID: String, changes: [(Action, RecordSet)], comment: String? = nil) async throws -> ChangeInfo {
        var w = XMLWriter()
        w.open("ChangeResourceRecordSetsRequest", xmlns: Self.xmlns)
        w.element("ChangeBatch") { w in
            w.element("Comment", comment)
            w.element("Changes") { w in
                for (action, record) in changes {
                    w.element("Change") { w in
                        w.element("Action", action.rawValue)
                        w.element("ResourceRecordSet") { Self.write(record, &$0) }
                    }
                }
            }
        }
        w.close("ChangeResourceRecordSetsRequest")
        let root = try await client.restXML(.route53, "ChangeResourceRecordSets", method: "POST",
                                            path: "/2013-04-01/hostedzone/\(zoneID)/rrset/", body: w.output)
        return Self.changeInfo(root?.child("ChangeInfo"))
    }

    static func write(_ r: RecordSet, _ w: inout XMLWriter) {
        w.element("Name", r.name)
        w.element("Type", r.type)
        w.element("SetIdentifier", r.setIdentifier)
        w.element("Weight", r.weight.map(String.init))
        if let alias = r.aliasTarget {
            w.element("AliasTarget") { w in
                w.element("HostedZoneId", alias.hostedZoneID)
                w.element("DNSName", alias.dnsName)
                w.element("EvaluateTargetHealth", alias.evaluateTargetHealth ? "true" : "false")
            }
        } else {
            w.element("TTL", r.ttl.map(String.init))
            w.element("ResourceRecords") { w in
                for v in r.values { w.element("ResourceRecord") { $0.element("Value", v) } }
            }
        }
        w.element("HealthCheckId", r.healthCheckID)
    }

    static func changeInfo(_ node: AWSXMLNode?) -> ChangeInfo {
        ChangeInfo(id: stripPrefix(node?.text("Id") ?? ""), status: node?.text("Status") ?? "")
    }

    public func getChange(id: String) async throws -> ChangeInfo {
        let root = try await client.restXML(.route53, "GetChange", method: "GET", path: "/2013-04-01/change/\(Self.stripPrefix(id))")
        return Self.changeInfo(root?.child("ChangeInfo"))
    }
}
