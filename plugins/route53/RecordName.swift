import Foundation

/// DNS names as Route53 compares them: case-insensitive, absolute (trailing dot), and with `*`
/// spelled `\052`, which is how ListResourceRecordSets returns a wildcard.
enum RecordName {
    static func normalize(_ name: String) -> String {
        var n = name.trimmingWhitespace.lowercased()
        if !n.hasSuffix(".") { n += "." }
        return n.replacingOccurrences(of: "*", with: "\\052")
    }
}
