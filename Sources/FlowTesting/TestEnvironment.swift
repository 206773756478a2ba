import Foundation

/// What the composition root gives the kit: the plugins of a real run (never called for real
/// but through the stand-ins) and where Lua gates are found.
public struct TestEnvironment: Sendable {
    public var registry: StepRegistry
    /// The gate search path for a workflow (or a test file) at `path`, with `extra` folders first.
    public var gateSearchPath: @Sendable (_ path: String, _ extra: [String]) -> [String]
    /// Keep each run's home (its journal) for `flow show --home DIR ID`, and say where.
    public var keepHomes: Bool
    /// Where kept homes go (default: the system's temporary directory).
    public var homesDirectory: String

    public init(registry: StepRegistry, gateSearchPath: @escaping @Sendable (String, [String]) -> [String],
                keepHomes: Bool = false, homesDirectory: String = NSTemporaryDirectory()) {
        self.registry = registry
        self.gateSearchPath = gateSearchPath
        self.keepHomes = keepHomes
        self.homesDirectory = homesDirectory
    }
}
