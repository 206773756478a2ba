import Foundation

/// Where notifications may go: an absolute `http://` or `https://` URL with a host. Anything else
/// (a typo'd scheme, a path, `file:`) is refused before the workflow runs, never at delivery time.
public enum WebhookURL {
    /// nil when `text` is a usable webhook URL; otherwise what is wrong with it, for a message.
    public static func problem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            return "not a URL (expected http://HOST/... or https://HOST/...)"
        }
        guard scheme == "http" || scheme == "https" else {
            return "only http:// and https:// URLs are supported, not \(scheme):"
        }
        guard let host = url.host, !host.isEmpty else { return "the URL has no host" }
        return nil
    }

    /// The URL without its path and query, for log lines: webhook paths often embed a secret
    /// (Slack's `/services/T000/B000/XXXX`).
    public static func redacted(_ text: String) -> String {
        guard let url = URL(string: text), let scheme = url.scheme, let host = url.host else { return "(bad URL)" }
        let port = url.port.map { ":\($0)" } ?? ""
        let hasPath = !url.path.isEmpty && url.path != "/"
        return "\(scheme)://\(host)\(port)" + (hasPath || url.query != nil ? "/…" : "/")
    }
}
