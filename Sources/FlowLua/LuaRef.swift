/// A Lua value held by the host: an entry in the registry of the state that made it.
/// Refs live as long as their state; `LuaState.release` frees one early.
public struct LuaRef: Sendable, Hashable {
    public let id: Int32
    init(id: Int32) { self.id = id }
}

/// An argument for a call into Lua: a plain value or a value the host holds by reference
/// (functions, tables with host functions, environments).
public enum LuaArgument: Sendable {
    case value(LuaValue)
    case ref(LuaRef)
}
