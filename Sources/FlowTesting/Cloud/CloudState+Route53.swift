import FlowEngine

/// Finding a weighted record as the route53 plugin does (ZoneResolver, WeightedRecord.read),
/// with its failures.
extension CloudState {
    func zoneID(_ zone: String) throws -> String {
        switch CloudNames.zoneReference(zone) {
        case .id(let id):
            guard records.contains(where: { $0.zoneID == id }) else {
                throw StepFailure("NoSuchHostedZone", "Route 53 ListResourceRecordSets failed: No hosted zone found with ID: \(id) (HTTP 404)",
                                  retryable: false)
            }
            return id
        case .name(let name):
            let ids = Set(records.filter { $0.zoneName == name }.map(\.zoneID)).sorted()
            switch ids.count {
            case 1:
                return ids[0]
            case 0:
                throw StepFailure("NoSuchHostedZone", "no hosted zone is named \(name); pass its id (zone = \"Z...\") or check the name",
                                  retryable: false)
            default:
                throw StepFailure("AmbiguousHostedZone",
                                  "\(ids.count) hosted zones are named \(name) (\(ids.joined(separator: ", "))), e.g. a public and a private one: pass the id, zone = \"\(ids[0])\"",
                                  retryable: false)
            }
        }
    }

    /// The index in `records` of the weighted record `record` (of `type`, if given) in `zoneID`.
    func recordIndex(zoneID: String, record: String, type: String?) throws -> Int {
        let name = CloudNames.recordName(record)
        let wanted = type.map { CloudNames.trimmed($0).uppercased() }
        let named = records.indices.filter { records[$0].zoneID == zoneID && records[$0].name == name }
        let weighted = named.filter { wanted == nil || records[$0].type == wanted }
        guard let first = weighted.min(by: { records[$0].type < records[$1].type }) else {
            let what = wanted.map { "\(name) (type \($0))" } ?? name
            var message = "hosted zone \(zoneID) has no weighted record sets for \(what)"
            if named.isEmpty {
                message += "; no record by that name exists there"
            } else {
                let kinds = named.flatMap { i in records[i].weights.keys.sorted().map { "\(records[i].type) set \($0)" } }
                message += "; records by that name: " + kinds.joined(separator: ", ")
            }
            throw StepFailure("NoWeightedRecords", message, retryable: false)
        }
        if weighted.count > 1 {
            let types = weighted.map { records[$0].type }.sorted()
            throw StepFailure("AmbiguousRecordType",
                              "\(name) in hosted zone \(zoneID) has weighted sets of types \(types.joined(separator: ", ")): pass type = \"\(records[first].type)\" (or another)",
                              retryable: false)
        }
        return first
    }

    /// `route53.weights`' result: `{zone_id, record, type, ttl, sets, weights}`.
    func weightsResult(_ r: SimRecord) -> StepValue {
        let alias = r.type != "CNAME"
        let sets = r.weights.keys.sorted().map { set -> StepValue in
            let target = CloudNames.aliasDNSName(set: set, record: r.name, region: region)
            return .record([
                "set": .string(set), "weight": .int(r.weights[set] ?? 0), "type": .string(r.type),
                "ttl": alias ? nil : .int(60),
                "alias": alias ? .record(["zone_id": .string(CloudNames.albZoneID), "dns_name": .string(target),
                                          "evaluate_target_health": .bool(true)]) : nil,
                "values": alias ? nil : .list([.string(CloudNames.withoutDot(target))]),
            ])
        }
        return .record(["zone_id": .string(r.zoneID), "record": .string(r.name), "type": .string(r.type),
                        "ttl": alias ? nil : .int(60), "sets": .list(sets), "weights": .weights(r.weights)])
    }
}
