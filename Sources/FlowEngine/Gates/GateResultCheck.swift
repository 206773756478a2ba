import FlowLua

/// What a gate's function returned, checked before anything is journaled: a result flow cannot
/// read back is refused here with what is wrong, not later in the engine.
enum GateResultCheck {
    enum Checked: Equatable {
        case result(GateResult)
        /// Completes "the function at FILE:LINE ...".
        case problem(String)
    }

    static let keys: Set<String> = ["status", "reason", "value"]

    /// `count`: how many values the function returned; `typeName`: Lua's type of the first;
    /// `read`: the first as a value (throws when it holds a function or a cycle).
    static func check(count: Int, typeName: String, read: () throws -> LuaValue) -> Checked {
        guard count > 0 else { return .problem("returned nothing") }
        guard typeName == "table" else {
            if typeName == "nil" { return .problem("returned nil") }
            if typeName == "string", let s = try? read().stringValue {
                let shown = s.count > 40 ? String(s.prefix(40)) + "..." : s
                return .problem("returned a string (\"\(shown)\")")
            }
            return .problem("returned a \(typeName)")
        }
        let value: LuaValue
        do {
            value = try read()
        } catch let e as LuaHostError {
            return .problem("returned a table flow cannot journal: \(GateContext.problem(in: e.message))")
        } catch {
            return .problem("returned a table flow cannot journal: \(error)")
        }
        return check(value)
    }

    static func check(_ value: LuaValue) -> Checked {
        let fields: [String: LuaValue]
        switch value {
        case .table(let t): fields = t
        case .array: return .problem("returned a list")
        default: return .problem("returned a \(value.typeName)")
        }
        let unknown = Set(fields.keys).subtracting(keys).sorted()
        if !unknown.isEmpty {
            let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
            return .problem("returned unknown key\(unknown.count == 1 ? "" : "s") \(names) (a result has status, reason and value)")
        }
        let statusText: String
        switch fields["status"] ?? .nil {
        case .nil: return .problem("returned no status")
        case .string(let s): statusText = s
        case let other: return .problem("returned status = \(other.detailedTypeName), not a string")
        }
        guard let status = GateStatus(rawValue: statusText) else {
            return .problem("returned status \"\(statusText)\", which is not \"pass\", \"fail\" or \"inconclusive\"")
        }
        let rawReason = fields["reason"] ?? .nil
        if rawReason.isNil { return .problem("returned no reason (a string saying why)") }
        guard let reason = rawReason.stringValue else {
            return .problem("returned reason = \(rawReason.detailedTypeName), not a string")
        }
        let v = fields["value"] ?? .nil
        return .result(GateResult(status, reason, value: v.isNil ? nil : v))
    }
}
