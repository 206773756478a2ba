import FlowLua

/// What one measurement of a gate found.
public enum GateStatus: String, Codable, Sendable {
    case pass, fail, inconclusive
}

/// A gate's verdict with the reason a person reads and the values it measured, journaled as
/// `{status = "...", reason = "...", value = ...}`.
public struct GateResult: Codable, Sendable, Equatable {
    public var status: GateStatus
    public var reason: String
    public var value: LuaValue?

    public init(_ status: GateStatus, _ reason: String, value: LuaValue? = nil) {
        self.status = status
        self.reason = reason
        self.value = value
    }
}
