import Foundation

/// A source spec taken apart, before any client or socket exists (so it is tested without I/O).
enum EventSourceSpec: Equatable {
    case sqs(queueURL: String, region: String?)
    case ecs(cluster: String, service: String, region: String?)
    case http(host: String, port: Int)
    case file(path: String)
    case standardInput

    static let forms = #"sqs:QUEUE_URL, ecs:CLUSTER/SERVICE, http:127.0.0.1:PORT, file:PATH or - (stdin)"#

    static func parse(_ spec: String, allowNonLoopback: Bool) throws -> EventSourceSpec {
        func bad(_ message: String) -> EventSourceError { EventSourceError(.badSpec, message, location: spec) }
        if spec == "-" { return .standardInput }
        guard let colon = spec.firstIndex(of: ":") else {
            throw bad("not an event source; expected one of \(forms)")
        }
        let kind = spec[..<colon], rest = String(spec[spec.index(after: colon)...])
        switch kind {
        case "sqs": return try sqs(rest, bad)
        case "ecs": return try ecs(rest, bad)
        case "http": return try http(rest, allowNonLoopback: allowNonLoopback, bad)
        case "file":
            guard !rest.isEmpty else { throw bad("file: needs a path, e.g. file:events.jsonl") }
            return .file(path: rest)
        default:
            throw bad("unknown kind '\(kind)'; expected one of \(forms)")
        }
    }

    private static func sqs(_ url: String, _ bad: (String) -> EventSourceError) throws -> EventSourceSpec {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty,
              parsed.path.split(separator: "/").count == 2
        else { throw bad("sqs: needs a queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/NAME") }
        return .sqs(queueURL: url, region: region(ofQueueHost: host))
    }

    /// "sqs.REGION.amazonaws.com", "REGION.queue.amazonaws.com" (legacy), "sqs.REGION.api.aws",
    /// VPC endpoints "vpce-....sqs.REGION.vpce.amazonaws.com"; nil for anything else (moto, a proxy).
    static func region(ofQueueHost host: String) -> String? {
        let labels = host.lowercased().split(separator: ".").map(String.init)
        guard labels.contains("amazonaws") || (labels.suffix(2) == ["api", "aws"]) else { return nil }
        if let sqs = labels.firstIndex(of: "sqs"), sqs + 1 < labels.count, labels[sqs + 1].contains("-") {
            return labels[sqs + 1]
        }
        if labels.count > 1, labels[1] == "queue", labels[0].contains("-") { return labels[0] }
        return nil
    }

    /// CLUSTER may be an ARN (which contains slashes), so the service is what follows the last one.
    private static func ecs(_ rest: String, _ bad: (String) -> EventSourceError) throws -> EventSourceSpec {
        guard let slash = rest.lastIndex(of: "/") else { throw bad("ecs: needs CLUSTER/SERVICE, e.g. ecs:prod/green-app") }
        let cluster = String(rest[..<slash]), service = String(rest[rest.index(after: slash)...])
        guard !cluster.isEmpty, !service.isEmpty else { throw bad("ecs: needs CLUSTER/SERVICE, e.g. ecs:prod/green-app") }
        var region: String?
        if cluster.hasPrefix("arn:") {
            let parts = cluster.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 6, parts[2] == "ecs", !parts[3].isEmpty else {
                throw bad("'\(cluster)' is not an ECS cluster ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME)")
            }
            region = String(parts[3])
        }
        return .ecs(cluster: cluster, service: service, region: region)
    }

    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1"]

    private static func http(_ rest: String, allowNonLoopback: Bool, _ bad: (String) -> EventSourceError) throws -> EventSourceSpec {
        guard let colon = rest.lastIndex(of: ":") else { throw bad("http: needs HOST:PORT, e.g. http:127.0.0.1:8080") }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(rest[rest.index(after: colon)...]), (0...65_535).contains(port), !host.isEmpty else {
            throw bad("http: needs HOST:PORT with a port 0...65535 (0 picks a free one)")
        }
        guard loopbackHosts.contains(host.lowercased()) || allowNonLoopback else {
            throw bad("refusing to listen on \(host): the listener has no authentication, so it binds only "
                      + "127.0.0.1, localhost or ::1 unless non-loopback addresses are explicitly allowed")
        }
        guard loopbackHosts.contains(host.lowercased()) || HTTPListener.isNumericAddress(host) else {
            throw bad("\(host) is not a numeric IPv4 or IPv6 address")
        }
        return .http(host: host.lowercased(), port: port)
    }
}
