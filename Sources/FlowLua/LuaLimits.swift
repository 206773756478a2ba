/// Bounds on what a script may consume. Both end the script with a clear error that pcall
/// cannot swallow (see the count hook in CLua's shim.h).
public struct LuaLimits: Sendable, Equatable {
    /// Bytes of Lua memory; 0 = unlimited.
    public var memoryBytes: Int
    /// Lua VM instructions over the state's life; nil = unlimited.
    public var instructions: Int64?
    /// How often the count hook runs; also the granularity of the instruction limit and of deadlines.
    public var hookPeriod: Int32

    public init(memoryBytes: Int = 256 << 20, instructions: Int64? = nil, hookPeriod: Int32 = 1000) {
        self.memoryBytes = memoryBytes
        self.instructions = instructions
        self.hookPeriod = hookPeriod
    }
}
