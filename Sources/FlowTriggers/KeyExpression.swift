import FlowEvents

/// `--key EXPR`: which fields of an event make its idempotency key. One execution starts per key.
///
///     EXPR  := PATH ("," PATH)*
///     PATH  := NAME ("." NAME | "[" INDEX "]")*
///     NAME  := one or more characters other than ".", ",", "[", "]" (so `detail-type` works);
///              spaces around a PATH are ignored
///
/// `detail.containers[0].name` is the first container's name. A string field gives its text, a
/// number its literal, true/false/null their JSON text, an object or array its compact JSON (keys
/// sorted). A missing field is an error: such an event has no key and starts nothing.
///
/// The key is the values joined by "," (a "," or "\" inside a value is escaped with "\"), so two
/// different value lists never make the same key.
public struct KeyExpression: Sendable, CustomStringConvertible, Equatable {
    /// The cluster, the service (`detail.group` is "service:NAME") and the task definition's
    /// family:revision: one rollout per revision of a service.
    public static let defaultText = "detail.clusterArn,detail.group,detail.taskDefinitionArn"
    public static let `default` = try! KeyExpression(defaultText)

    enum Step: Sendable, Equatable {
        case field(String)
        case index(Int)
    }

    public let text: String
    let paths: [[Step]]

    public init(_ text: String) throws(KeyExpressionError) {
        self.text = text
        var paths: [[Step]] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            paths.append(try Self.parsePath(part.trimmingSpaces, in: text))
        }
        self.paths = paths
    }

    public var description: String { text }

    static func parsePath(_ path: Substring, in text: String) throws(KeyExpressionError) -> [Step] {
        guard !path.isEmpty else { throw KeyExpressionError("--key '\(text)': an empty path (two commas, or a comma at an end)") }
        var steps: [Step] = []
        var i = path.startIndex
        var expectName = true
        while i < path.endIndex {
            let c = path[i]
            if c == "[" {
                guard let close = path[i...].firstIndex(of: "]"), let n = Int(path[path.index(after: i)..<close]), n >= 0 else {
                    throw KeyExpressionError("--key '\(text)': after '[' write an index and ']', as in detail.containers[0].name")
                }
                guard !steps.isEmpty else { throw KeyExpressionError("--key '\(text)': '\(path)' starts with an index; name a field first") }
                steps.append(.index(n))
                i = path.index(after: close)
                expectName = false
            } else if c == "." {
                guard !expectName else { throw KeyExpressionError("--key '\(text)': '\(path)' has an empty field name") }
                i = path.index(after: i)
                expectName = true
            } else if c == "]" {
                throw KeyExpressionError("--key '\(text)': ']' without '[' in '\(path)'")
            } else {
                guard expectName else { throw KeyExpressionError("--key '\(text)': write '.' between a ']' and a field name in '\(path)'") }
                let end = path[i...].firstIndex(where: { $0 == "." || $0 == "[" || $0 == "]" }) ?? path.endIndex
                steps.append(.field(String(path[i..<end])))
                i = end
                expectName = false
            }
        }
        if expectName { throw KeyExpressionError("--key '\(text)': '\(path)' ends with '.'") }
        return steps
    }

    /// The event's key, or why it has none.
    public func key(of event: JSONValue) throws(KeyExpressionError) -> String {
        try Self.join(values(of: event))
    }

    /// The value of each path, as text.
    public func values(of event: JSONValue) throws(KeyExpressionError) -> [String] {
        var out: [String] = []
        for path in paths {
            var current = event
            for step in path {
                let next: JSONValue?
                switch step {
                case .field(let name): next = current[name]
                case .index(let n): next = current.arrayValue.flatMap { n < $0.count ? $0[n] : nil }
                }
                guard let next else {
                    throw KeyExpressionError("the event has no \(Self.render(path)) (key \(text))")
                }
                current = next
            }
            out.append(current.stringValue ?? current.description)
        }
        return out
    }

    static func join(_ values: [String]) -> String {
        values.map { v in
            var escaped = ""
            for c in v {
                if c == "," || c == "\\" { escaped.append("\\") }
                escaped.append(c)
            }
            return escaped
        }.joined(separator: ",")
    }

    /// The values of a key made by `join`, for readable execution ids.
    static func split(_ key: String) -> [String] {
        var out: [String] = []
        var current = ""
        var escaping = false
        for c in key {
            if escaping {
                current.append(c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else if c == "," {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out
    }

    static func render(_ path: [Step]) -> String {
        var out = ""
        for step in path {
            switch step {
            case .field(let name): out += (out.isEmpty ? "" : ".") + name
            case .index(let n): out += "[\(n)]"
            }
        }
        return out
    }
}

public struct KeyExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
