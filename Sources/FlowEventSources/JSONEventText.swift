import Foundation

/// Checks and cuts JSON text without rewriting it: consumers get each event's text as it was
/// sent (numbers, key order and escapes untouched), so only the boundaries are found here.
enum JSONEventText {
    /// nil when `text` is one JSON object; else why not, e.g. "a JSON array, not an object".
    static func problem(_ text: some StringProtocol) -> String? {
        problem(Array(text.utf8))
    }

    static func problem(_ bytes: [UInt8]) -> String? {
        guard let value = parse(bytes) else { return "not valid JSON" }
        return value is [String: Any] ? nil : "\(kind(of: value)), not an object"
    }

    /// One object, or an array of objects: each event's text, trimmed. Throws the reason otherwise.
    static func events(inBody bytes: [UInt8]) -> Result<[String], BodyProblem> {
        guard let value = parse(bytes) else { return .failure(.init("the body is not valid JSON")) }
        if value is [String: Any] { return .success([trimmed(bytes[...])]) }
        guard let array = value as? [Any] else {
            return .failure(.init("the body is \(kind(of: value)); send one event object or an array of them"))
        }
        if let bad = array.firstIndex(where: { !($0 is [String: Any]) }) {
            return .failure(.init("element \(bad + 1) of the array is \(kind(of: array[bad])), not an event object"))
        }
        let ranges = elementRanges(bytes)
        guard ranges.count == array.count else { return .failure(.init("cannot split the array into its elements")) }
        return .success(ranges.map { trimmed(bytes[$0]) })
    }

    struct BodyProblem: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// SNS delivers an EventBridge event wrapped: {"Type": "Notification", "Message": "<event JSON>", ...}.
    /// Returns the inner text when `text` is such a wrapper (and not itself an event).
    static func unwrapSNS(_ text: String) -> String? {
        guard let object = parse(Array(text.utf8)) as? [String: Any], object["detail-type"] == nil,
              let message = object["Message"] as? String,
              object["Type"] as? String == "Notification" || object["TopicArn"] != nil
        else { return nil }
        return message
    }

    private static func parse(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    private static func kind(of value: Any) -> String {
        switch value {
        case is [Any]: "a JSON array"
        case is String: "a JSON string"
        case is NSNull: "JSON null"
        case is [String: Any]: "a JSON object"
        default: "a JSON scalar"
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        let end = bytes.lastIndex { !isSpace($0) }.map { $0 + 1 } ?? start
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The byte ranges of a valid JSON array's elements, found by tracking nesting outside strings.
    static func elementRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        guard var i = bytes.firstIndex(of: UInt8(ascii: "[")) else { return [] }
        i += 1
        var ranges: [Range<Int>] = []
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        while i < bytes.count {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count, bytes[i] != UInt8(ascii: "]") else { break }
            let start = i
            var depth = 0, inString = false
            scan: while i < bytes.count {
                let c = bytes[i]
                if inString {
                    if c == UInt8(ascii: "\\") { i += 2; continue }
                    if c == UInt8(ascii: "\"") { inString = false }
                } else {
                    switch c {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        if depth == 0 { break scan }
                        depth -= 1
                    case UInt8(ascii: ","): if depth == 0 { break scan }
                    default: break
                    }
                }
                i += 1
            }
            ranges.append(start..<min(i, bytes.count))
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1 } else { break }
        }
        return ranges
    }
}
