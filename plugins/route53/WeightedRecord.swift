import FlowAWS
import FlowEngine
import FlowPluginSupport

/// Every weighted set of one record (name and type) in one zone, as Route53 holds it now.
struct WeightedRecord: Sendable {
    var zoneID: String
    /// As Route53 spells it (lower case, trailing dot).
    var name: String
    var type: String
    /// Ordered by set identifier, so results and change batches do not depend on listing order.
    var sets: [Route53.RecordSet]

    var weights: [String: Int] {
        Dictionary(uniqueKeysWithValues: sets.map { ($0.setIdentifier ?? "", $0.weight ?? 0) })
    }

    /// Reads all pages of the zone: a record's sets may straddle a page boundary.
    static func read(_ route53: Route53, zoneID: String, record: String, type: String?) async throws -> WeightedRecord {
        let name = RecordName.normalize(record)
        let wantedType = type.map { $0.trimmingWhitespace.uppercased() }
        let all = try await awsStep { try await route53.listResourceRecordSets(zoneID: zoneID) }
        let named = all.filter { RecordName.normalize($0.name) == name }
        let weighted = named.filter { $0.setIdentifier != nil && $0.weight != nil && (wantedType == nil || $0.type == wantedType) }

        let types = Set(weighted.map(\.type)).sorted()
        guard let first = types.first else {
            throw noWeightedRecords(zoneID: zoneID, name: name, type: wantedType, named: named)
        }
        if types.count > 1 {
            throw StepFailure("AmbiguousRecordType",
                              "\(name) in hosted zone \(zoneID) has weighted sets of types \(types.joined(separator: ", ")): pass type = \"\(first)\" (or another)",
                              retryable: false)
        }
        let sets = weighted.sorted { ($0.setIdentifier ?? "") < ($1.setIdentifier ?? "") }
        return WeightedRecord(zoneID: zoneID, name: sets[0].name, type: first, sets: sets)
    }

    private static func noWeightedRecords(zoneID: String, name: String, type: String?, named: [Route53.RecordSet]) -> StepFailure {
        let what = type.map { "\(name) (type \($0))" } ?? name
        var message = "hosted zone \(zoneID) has no weighted record sets for \(what)"
        if named.isEmpty {
            message += "; no record by that name exists there"
        } else {
            let kinds = named.map { $0.setIdentifier == nil ? "\($0.type) (not weighted)" : "\($0.type) set \($0.setIdentifier ?? "")" }
            message += "; records by that name: " + kinds.joined(separator: ", ")
        }
        return StepFailure("NoWeightedRecords", message, retryable: false)
    }
}
