import CLua

/// Converting between Lua's stack and `LuaValue`.
extension LuaState {
    /// Deep enough for any configuration a person writes; deeper is a cycle or a bomb.
    static let maxDepth = 64

    func pushValue(_ value: LuaValue, on L: OpaquePointer) {
        // Values arrive from trusted host code; nesting is bounded by what we produced.
        _ = lua_checkstack(L, 4)
        switch value {
        case .nil: lua_pushnil(L)
        case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
        case .int(let i): lua_pushinteger(L, lua_Integer(i))
        case .double(let d): lua_pushnumber(L, d)
        case .string(let s):
            var s = s
            s.withUTF8 { buf in clua_pushlstring(L, buf.baseAddress, buf.count) }
        case .bytes(let b):
            b.withUnsafeBufferPointer { buf in clua_pushlstring(L, buf.baseAddress, buf.count) }
        case .array(let items):
            lua_createtable(L, Int32(clamping: items.count), 0)
            for (i, item) in items.enumerated() {
                pushValue(item, on: L)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        case .table(let fields):
            lua_createtable(L, 0, Int32(clamping: fields.count))
            for (k, v) in fields {
                var key = k
                key.withUTF8 { buf in clua_pushlstring(L, buf.baseAddress, buf.count) }
                pushValue(v, on: L)
                lua_rawset(L, -3)
            }
        }
    }

    /// Reads the value at `index` without changing it (numbers are never converted in place).
    /// `path` names where the value sits, for errors ("weights.blue", "cmd[2]").
    func readValue(at index: Int32, on L: OpaquePointer, path: String = "", depth: Int = 0) throws -> LuaValue {
        let idx = lua_absindex(L, index)
        switch lua_type(L, idx) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .bool(lua_toboolean(L, idx) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, idx) != 0 { return .int(Int64(clua_tointeger(L, idx))) }
            return .double(clua_tonumber(L, idx))
        case LUA_TSTRING:
            var len = 0
            let p = lua_tolstring(L, idx, &len)!
            return LuaValue.fromBytes(UnsafeRawBufferPointer(start: p, count: len))
        case LUA_TTABLE:
            return try readTable(at: idx, on: L, path: path, depth: depth)
        default:
            let type = String(cString: clua_typename_at(L, idx))
            throw LuaConversionError(path: path, problem: "a \(type) cannot be passed to or stored by flow")
        }
    }

    private func readTable(at idx: Int32, on L: OpaquePointer, path: String, depth: Int) throws -> LuaValue {
        guard depth < LuaState.maxDepth else {
            throw LuaConversionError(path: path, problem: "table nested more than \(LuaState.maxDepth) levels deep (or it contains itself)")
        }
        guard lua_checkstack(L, 6) != 0 else {
            throw LuaConversionError(path: path, problem: "no Lua stack space left")
        }
        var strings: [String: LuaValue] = [:]
        var ints: [Int64: LuaValue] = [:]
        lua_pushnil(L)
        while lua_next(L, idx) != 0 {
            // key at -2, value at -1
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                var len = 0
                let p = lua_tolstring(L, -2, &len)!
                let key = String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
                let sub = path.isEmpty ? key : "\(path).\(key)"
                do {
                    strings[key] = try readValue(at: -1, on: L, path: sub, depth: depth + 1)
                } catch {
                    clua_pop(L, 2)
                    throw error
                }
            case LUA_TNUMBER where lua_isinteger(L, -2) != 0:
                let key = Int64(clua_tointeger(L, -2))
                do {
                    ints[key] = try readValue(at: -1, on: L, path: "\(path)[\(key)]", depth: depth + 1)
                } catch {
                    clua_pop(L, 2)
                    throw error
                }
            default:
                let type = String(cString: clua_typename_at(L, -2))
                clua_pop(L, 2)
                throw LuaConversionError(path: path, problem: "table keys must be strings or a sequence 1..n, found a \(type) key")
            }
            clua_pop(L, 1)
        }
        if ints.isEmpty { return .table(strings) }
        guard strings.isEmpty else {
            throw LuaConversionError(path: path, problem: "table mixes a list part and named keys (\(strings.keys.sorted().prefix(3).joined(separator: ", ")))")
        }
        var items: [LuaValue] = []
        items.reserveCapacity(ints.count)
        for i in 1...Int64(ints.count) {
            guard let v = ints[i] else {
                throw LuaConversionError(path: path, problem: "list has a hole at index \(i): use a sequence 1..n")
            }
            items.append(v)
        }
        return .array(items)
    }
}

/// A Lua value that cannot become a `LuaValue` (a function, a cyclic table, mixed keys).
public struct LuaConversionError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String {
        // A path 64 levels deep (or with huge keys) is cut: its start says where it is.
        let shown = path.utf8.count > 200 ? String(decoding: path.utf8.prefix(200), as: UTF8.self) + "..." : path
        return path.isEmpty ? problem : "\(problem) (at '\(shown)')"
    }
}
