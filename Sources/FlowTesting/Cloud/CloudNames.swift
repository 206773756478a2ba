/// The names and identifiers the simulated cloud makes up: deterministic (the same scenario
/// always gives the same ARNs), shaped like AWS's so the code reading them cannot tell.
enum CloudNames {
    static let account = "123456789012"
    /// The canonical hosted zone of ALBs in us-east-1, which alias sets point into.
    static let albZoneID = "Z35SXDOTRQ7X7K"

    /// DNS names as Route53 compares them: lower case, absolute, `*` spelled `\052`.
    static func recordName(_ name: String) -> String {
        var n = trimmed(name).lowercased()
        if !n.hasSuffix(".") { n += "." }
        return n.split(separator: "*", omittingEmptySubsequences: false).joined(separator: "\\052")
    }

    /// `app.example.com.` -> `app.example.com`: how the snapshot keys records.
    static func withoutDot(_ name: String) -> String {
        name.hasSuffix(".") ? String(name.dropLast()) : name
    }

    enum ZoneReference: Equatable {
        case id(String)
        case name(String)
    }

    /// As the route53 plugin reads `zone`: "/hostedzone/Z1" and "Z1" are ids, anything else a name.
    static func zoneReference(_ zone: String) -> ZoneReference {
        let zone = trimmed(zone)
        if zone.hasPrefix("/hostedzone/") { return .id(String(zone.dropFirst("/hostedzone/".count))) }
        let idShaped = !zone.contains(".") && zone.allSatisfy { ($0.isUppercase || $0.isNumber) && $0.isASCII }
        return idShaped ? .id(zone) : .name(recordName(zone))
    }

    static func zoneID(_ zoneName: String) -> String { "Z" + base36(hash(zoneName), width: 13) }

    static func targetGroupARN(_ name: String, region: String) -> String {
        "arn:aws:elasticloadbalancing:\(region):\(account):targetgroup/\(name)/" + hex(hash("tg/" + name), width: 16)
    }

    /// `arn:...:targetgroup/NAME/ID` -> NAME.
    static func targetGroupName(fromARN arn: String) -> String? {
        guard let range = arn.range(of: "targetgroup/") else { return nil }
        let rest = arn[range.upperBound...]
        return rest.split(separator: "/", omittingEmptySubsequences: false).first.map(String.init)
    }

    static func taskDefinitionARN(_ td: String, region: String) -> String {
        td.hasPrefix("arn:") ? td : "arn:aws:ecs:\(region):\(account):task-definition/\(td)"
    }

    /// `arn:...:task-definition/web:3` -> `web:3`.
    static func shortTaskDefinition(_ td: String) -> String {
        td.split(separator: "/").last.map(String.init) ?? td
    }

    static func family(_ td: String) -> String {
        let short = shortTaskDefinition(td)
        return short.split(separator: ":").first.map(String.init) ?? short
    }

    /// `arn:...:service/CLUSTER/NAME` or `NAME` -> `NAME`.
    static func serviceName(_ service: String) -> String {
        service.split(separator: "/").last.map(String.init) ?? service
    }

    static func clusterName(_ cluster: String) -> String {
        cluster.split(separator: "/").last.map(String.init) ?? cluster
    }

    static func taskARN(cluster: String, service: String, taskDefinition: String, index: Int, region: String) -> String {
        "arn:aws:ecs:\(region):\(account):task/\(cluster)/"
            + hex(hash("task/\(cluster)/\(service)/\(taskDefinition)/\(index)"), width: 16)
            + hex(hash("task#\(index)/\(cluster)/\(service)/\(taskDefinition)"), width: 16)
    }

    static func deploymentID(cluster: String, service: String, taskDefinition: String) -> String {
        "ecs-svc/" + String(hash("dep/\(cluster)/\(service)/\(taskDefinition)") % 10_000_000_000_000_000_000)
    }

    static func aliasDNSName(set: String, record: String, region: String) -> String {
        "\(set)-\(hash(record + "/" + set) % 1_000_000_000).\(region).elb.amazonaws.com."
    }

    static func targetID(group: Int, index: Int) -> String { "10.\(group % 250).\(index / 200).\(index % 200 + 10)" }

    /// FNV-1a: stable across runs and platforms, unlike `Hasher`.
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    static func hex(_ n: UInt64, width: Int) -> String { padded(String(n, radix: 16), width) }

    static func base36(_ n: UInt64, width: Int) -> String { padded(String(n, radix: 36, uppercase: true), width) }

    private static func padded(_ s: String, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
