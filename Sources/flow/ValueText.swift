import FlowEngine
import FlowLua

/// A value as a person reads it in a table (FlowEngine's `ReadableValue`).
enum ValueText {
    static func render(_ value: LuaValue) -> String { ReadableValue.render(value) }
}
