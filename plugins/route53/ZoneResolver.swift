import FlowAWS
import FlowEngine
import FlowPluginSupport

/// Turns what a script wrote for `zone` into a hosted zone id.
enum ZoneResolver {
    enum Reference: Equatable {
        case id(String)
        case name(String)
    }

    /// "/hostedzone/Z123" and "Z123" are ids; anything with a dot, or not shaped like an id, is a
    /// name. Zone ids are upper-case letters and digits, which no sensible zone name is alone.
    static func reference(_ zone: String) -> Reference {
        let zone = zone.trimmingWhitespace
        if zone.hasPrefix("/hostedzone/") { return .id(String(zone.dropFirst("/hostedzone/".count))) }
        let idShaped = !zone.contains(".") && zone.allSatisfy { ($0.isUppercase || $0.isNumber) && $0.isASCII }
        return idShaped ? .id(zone) : .name(RecordName.normalize(zone))
    }

    static func resolve(_ zone: String, route53: Route53) async throws -> String {
        switch reference(zone) {
        case .id(let id):
            return id
        case .name(let name):
            // Listing starts at the name, so an exact match is at the front if it exists.
            let zones = try await awsStep { try await route53.listHostedZonesByName(dnsName: name) }
            let matches = zones.filter { RecordName.normalize($0.name) == name }
            switch matches.count {
            case 1:
                return matches[0].id
            case 0:
                throw StepFailure("NoSuchHostedZone", "no hosted zone is named \(name); pass its id (zone = \"Z...\") or check the name",
                                  retryable: false)
            default:
                let ids = matches.map(\.id).sorted().joined(separator: ", ")
                throw StepFailure("AmbiguousHostedZone",
                                  "\(matches.count) hosted zones are named \(name) (\(ids)), e.g. a public and a private one: pass the id, zone = \"\(matches[0].id)\"",
                                  retryable: false)
            }
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
