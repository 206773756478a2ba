import Foundation

/// An "ECS Task State Change" EventBridge envelope made from a DescribeTasks task, shaped as ECS
/// itself sends it (AWS's sample: `version` "0", `detail` the task with ISO-8601 timestamps,
/// `resources` the task ARN).
enum ECSTaskEvent {
    static let detailType = "ECS Task State Change"

    private struct Envelope: Encodable {
        var version = "0"
        var id: String
        var detailType = ECSTaskEvent.detailType
        var source = "aws.ecs"
        var account: String
        var time: String
        var region: String
        var resources: [String]
        var detail: JSONValue

        enum CodingKeys: String, CodingKey {
            case version, id, source, account, time, region, resources, detail
            case detailType = "detail-type"
        }
    }

    /// `task` as DescribeTasks gives it, in the events' spelling (`eventSpelling`). Its `version` is
    /// set to `version`, and `updatedAt` (which DescribeTasks lacks) to `observedAt`.
    static func envelope(task: JSONValue, version: Int64, observedAt: Date, id: UUID = UUID()) throws -> String {
        guard case .object(var detail) = eventSpelling(task), let taskArn = detail["taskArn"]?.string else {
            throw EventSourceError(.badEvent, "DescribeTasks returned a task without taskArn")
        }
        detail["version"] = .int(version)
        if detail["updatedAt"] == nil { detail["updatedAt"] = .string(iso(observedAt.timeIntervalSince1970)) }
        // arn:aws:ecs:REGION:ACCOUNT:task/...
        let arn = taskArn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let envelope = Envelope(id: id.uuidString.lowercased(), account: arn.count > 4 ? arn[4] : "",
                                time: seconds.format(observedAt), region: arn.count > 3 ? arn[3] : "",
                                resources: [taskArn], detail: .object(detail))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(envelope), as: UTF8.self)
    }

    /// The API's spelling turned into the events': numbers under keys ending in "At" (createdAt,
    /// startedAt, stoppedAt, ...) are epoch seconds in the API and ISO-8601 strings in events; an
    /// attachment's type "ElasticNetworkInterface" is "eni" in events.
    static func eventSpelling(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            var out: [String: JSONValue] = [:]
            for (key, field) in fields {
                if key.hasSuffix("At"), let epoch = field.number {
                    out[key] = .string(iso(epoch))
                } else if key == "attachments", case .array(let items) = field {
                    out[key] = .array(items.map(eventAttachment))
                } else {
                    out[key] = eventSpelling(field)
                }
            }
            return .object(out)
        case .array(let items): return .array(items.map(eventSpelling))
        default: return value
        }
    }

    private static func eventAttachment(_ attachment: JSONValue) -> JSONValue {
        guard case .object(var fields) = eventSpelling(attachment) else { return attachment }
        if fields["type"] == .string("ElasticNetworkInterface") { fields["type"] = .string("eni") }
        return .object(fields)
    }

    /// "2020-01-23T17:57:58.103Z", as in the detail. The milliseconds are rounded here: epoch
    /// seconds such as 1579802274.402 are not exact in binary, and the formatter truncates.
    static func iso(_ epoch: Double) -> String {
        let ms = Int64((epoch * 1000).rounded())
        let whole = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let text = seconds.format(Date(timeIntervalSince1970: Double(whole)))
        let digits = String(ms - whole * 1000 + 1000).dropFirst()
        return text.dropLast() + "." + digits + "Z"
    }
    /// "2020-01-23T17:57:58Z", as in the envelope's `time`.
    static let seconds = Date.ISO8601FormatStyle()
}
