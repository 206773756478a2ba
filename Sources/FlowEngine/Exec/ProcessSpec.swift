/// What to run for `flow.exec`. Recorded in the WAL, so it must round-trip through Codable
/// and compare equal when a replay checks that the workflow asked for the same thing.
public struct ProcessSpec: Sendable, Hashable, Codable {
    /// `argv[0]` is looked up in PATH when it has no '/'. When `environment` sets PATH, that
    /// PATH is searched (the child's view), not the engine's.
    public var argv: [String]
    /// nil inherits the engine's environment; otherwise these entries are added to it,
    /// overriding inherited ones of the same name.
    public var environment: [String: String]?
    public var workingDirectory: String?
    /// Written to the child's stdin, which is then closed; nil connects stdin to /dev/null.
    public var stdin: [UInt8]?
    /// On expiry the child's process group gets SIGTERM, then SIGKILL after `killGrace`.
    public var timeout: Duration?
    public var killGrace: Duration = .seconds(2)
    /// Bytes kept per stream; the rest is counted and dropped so a chatty child can't
    /// exhaust the engine's memory.
    public var outputLimit: Int = 1 << 20

    public init(
        argv: [String],
        environment: [String: String]? = nil,
        workingDirectory: String? = nil,
        stdin: [UInt8]? = nil,
        timeout: Duration? = nil,
        killGrace: Duration = .seconds(2),
        outputLimit: Int = 1 << 20
    ) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.timeout = timeout
        self.killGrace = killGrace
        self.outputLimit = outputLimit
    }

    private enum CodingKeys: String, CodingKey {
        case argv, environment, workingDirectory, stdin, timeout, killGrace, outputLimit
    }

    // Hand-written so records written before a field existed (or by hand) still decode:
    // the synthesized decoder would demand every defaulted key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        argv = try c.decode([String].self, forKey: .argv)
        environment = try c.decodeIfPresent([String: String].self, forKey: .environment)
        workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
        stdin = try c.decodeIfPresent([UInt8].self, forKey: .stdin)
        timeout = try c.decodeIfPresent(Duration.self, forKey: .timeout)
        killGrace = try c.decodeIfPresent(Duration.self, forKey: .killGrace) ?? .seconds(2)
        outputLimit = try c.decodeIfPresent(Int.self, forKey: .outputLimit) ?? 1 << 20
    }
}
