/// A line of `~/.aws/config` or `~/.aws/credentials` that is neither a section, a property nor a
/// comment. Names file and line so the user can open the file at the right place.
public struct SharedConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path):\(line): \(message)" }
}

/// The INI dialect the AWS CLI reads. The two files name profiles differently: the config file
/// says `[profile NAME]` (and `[default]`), the credentials file says `[NAME]`.
public enum SharedConfigFileKind: Sendable {
    case config
    case credentials
}

enum SharedConfigParser {
    /// Profiles by name, keys lower-cased. Sections that are not profiles (`[sso-session x]`,
    /// `[services x]`) are parsed for syntax but dropped: flow does not use them.
    static func parse(_ text: String, path: String, kind: SharedConfigFileKind) throws -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        var inSection = false
        // Indented lines after a property are its continuation or nested sub-properties
        // (`s3 =\n  max_concurrent_requests = 10`); the CLI accepts them, flow ignores them.
        var afterProperty = false
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmedINIWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if indented && afterProperty { continue }
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw SharedConfigError(path: path, line: lineNumber, message: "section header is missing ']'")
                }
                let rest = trimmed[trimmed.index(after: close)...].trimmedINIWhitespace()
                guard rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix(";") else {
                    throw SharedConfigError(path: path, line: lineNumber, message: "unexpected text after section header")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmedINIWhitespace()
                guard !name.isEmpty else {
                    throw SharedConfigError(path: path, line: lineNumber, message: "empty section name")
                }
                current = profileName(section: String(name), kind: kind)
                if let current, profiles[current] == nil { profiles[current] = [:] }
                inSection = true
                afterProperty = false
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw SharedConfigError(path: path, line: lineNumber, message: "expected 'key = value' or '[section]'")
            }
            guard inSection else {
                throw SharedConfigError(path: path, line: lineNumber, message: "property outside of any [section]")
            }
            let key = trimmed[..<equals].trimmedINIWhitespace().lowercased()
            guard !key.isEmpty else {
                throw SharedConfigError(path: path, line: lineNumber, message: "property with an empty name")
            }
            // Values are taken verbatim (no inline comments), as the CLI does: a credential_process
            // command may legitimately contain '#' or ';'.
            let value = trimmed[trimmed.index(after: equals)...].trimmedINIWhitespace()
            if let current { profiles[current]?[key] = String(value) }
            afterProperty = true
        }
        return profiles
    }

    /// nil for sections that are not profiles in this kind of file.
    static func profileName(section: String, kind: SharedConfigFileKind) -> String? {
        switch kind {
        case .credentials:
            return section
        case .config:
            if section == "default" { return "default" }
            let parts = section.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, parts[0] == "profile" else { return nil }
            return String(parts[1])
        }
    }
}

extension StringProtocol {
    func trimmedINIWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
