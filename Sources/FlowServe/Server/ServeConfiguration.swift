import FlowEngine

/// What `flow serve` was asked for, validated: where to listen, which home, the token.
public struct ServeConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var home: FlowHome
    /// When set, every request but /healthz needs `Authorization: Bearer TOKEN`.
    public var token: String?
    /// Who operator actions are journaled as: "USER@HOST via flow serve".
    public var requester: String
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes = 64 * 1024
    /// Server-Sent Events: how often the journal is polled and a heartbeat comment is sent.
    public var followInterval: Duration = .milliseconds(250)
    public var heartbeatInterval: Duration = .seconds(15)

    public init(listen: String, home: FlowHome, token: String?, requester: String) throws {
        let (host, port) = try Self.parse(listen: listen)
        self.host = host
        self.port = port
        self.home = home
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.requester = requester
        if !Self.isLoopback(host) && self.token == nil {
            throw ServeConfigurationError(
                "--listen \(listen) is not a loopback address: set a token (--token or FLOW_TOKEN) so that nobody else can act on executions")
        }
    }

    /// "HOST:PORT", "[V6]:PORT" or ":PORT" (127.0.0.1).
    static func parse(listen: String) throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":") else {
            throw ServeConfigurationError("--listen must be HOST:PORT (e.g. 127.0.0.1:8080), got '\(listen)'")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        guard let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ServeConfigurationError("--listen needs a port from 0 to 65535 (0 picks a free one), got '\(listen)'")
        }
        return (host, port)
    }

    /// Only the loopback interface may be served without a token.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

public struct ServeConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
