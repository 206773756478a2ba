/// Building the tables a step returns, the same way in every plugin and in `flow test`'s
/// simulated cloud (whose answers must have the plugins' shapes).
extension StepValue {
    /// A Lua table from key/value pairs, leaving out nil values so scripts see absent keys,
    /// not keys bound to nil.
    public static func record(_ pairs: KeyValuePairs<String, StepValue?>) -> StepValue {
        var table: [String: StepValue] = [:]
        for (key, value) in pairs {
            if let value, !value.isNil { table[key] = value }
        }
        return .table(table)
    }

    /// A Lua sequence; empty is `{}`, the one shape an empty table has after a round trip.
    public static func list(_ items: [StepValue]) -> StepValue { items.isEmpty ? .table([:]) : .array(items) }

    public static func int(_ n: Int) -> StepValue { .int(Int64(n)) }

    public static func string(_ s: String?) -> StepValue? { s.map { .string($0) } }

    /// Milliseconds and measured values keep one decimal: enough to read, stable to compare.
    public static func rounded(_ d: Double) -> StepValue { .double((d * 10).rounded() / 10) }
}
