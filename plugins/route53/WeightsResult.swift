import FlowAWS

/// What `route53.weights` and `failback.capture` return, and `failback.arm` hands the script:
/// `{zone_id, record, type, ttl, sets = {{set, weight, type, ttl, alias, values}, ...}, weights = {blue = 100, ...}}`.
public struct WeightsResult: Codable, Sendable, Equatable {
    public var zoneID: String
    public var record: String
    public var type: String
    /// The sets' TTL when they all share one; nil for alias records (and mixed TTLs).
    public var ttl: Int?
    public var sets: [WeightedSet]
    public var weights: [String: Int]

    enum CodingKeys: String, CodingKey {
        case record, type, ttl, sets, weights
        case zoneID = "zone_id"
    }

    init(_ record: WeightedRecord) {
        zoneID = record.zoneID
        self.record = record.name
        type = record.type
        sets = record.sets.map(WeightedSet.init)
        let ttls = Set(sets.map(\.ttl))
        ttl = ttls.count == 1 ? ttls.first ?? nil : nil
        weights = record.weights
    }
}

/// One weighted set, everything a person needs to see which endpoint it is.
public struct WeightedSet: Codable, Sendable, Equatable {
    public var set: String
    public var weight: Int
    public var type: String
    /// nil for an alias.
    public var ttl: Int?
    public var alias: Alias?
    /// The record's values (addresses, a CNAME target); nil for an alias.
    public var values: [String]?

    public struct Alias: Codable, Sendable, Equatable {
        public var zoneID: String
        public var dnsName: String
        public var evaluateTargetHealth: Bool

        enum CodingKeys: String, CodingKey {
            case zoneID = "zone_id"
            case dnsName = "dns_name"
            case evaluateTargetHealth = "evaluate_target_health"
        }
    }

    init(_ r: Route53.RecordSet) {
        set = r.setIdentifier ?? ""
        weight = r.weight ?? 0
        type = r.type
        // An alias has no TTL of its own (moto reports 0 anyway).
        ttl = r.aliasTarget == nil ? r.ttl : nil
        alias = r.aliasTarget.map {
            Alias(zoneID: $0.hostedZoneID, dnsName: $0.dnsName, evaluateTargetHealth: $0.evaluateTargetHealth)
        }
        values = r.aliasTarget == nil ? r.values : nil
    }
}
