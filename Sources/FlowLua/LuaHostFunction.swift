import CLua

/// What a host function hands back to Lua.
public enum LuaHostResult {
    /// Return these values to the caller.
    case values([LuaValue])
    /// Suspend the running coroutine, handing these values to whoever resumed it. The caller
    /// later resumes with `(true, results...)` to return results, or `(false, error)` to raise.
    case yield([LuaValue])
}

/// A Swift function callable from Lua. Throwing `LuaHostError` raises a Lua error at the
/// script's line; any other error is raised with its description.
public typealias LuaHostFunction = (LuaCall) throws -> LuaHostResult

final class HostBox {
    let name: String
    let fn: LuaHostFunction
    unowned let state: LuaState
    init(name: String, fn: @escaping LuaHostFunction, state: LuaState) {
        self.name = name
        self.fn = fn
        self.state = state
    }
}

/// The arguments of one call from Lua into a host function.
public struct LuaCall {
    let L: OpaquePointer
    let state: LuaState
    /// The host function's name, for error messages.
    public let functionName: String

    /// Number of arguments passed.
    public var count: Int { Int(lua_gettop(L)) }

    /// Argument `i` (1-based) as a value; a function or cyclic table is an error naming the argument.
    public func value(_ i: Int) throws -> LuaValue {
        do {
            return try state.readValue(at: Int32(i), on: L)
        } catch let e as LuaConversionError {
            throw LuaHostError("bad argument #\(i) to '\(functionName)' (\(e))")
        }
    }

    /// Argument `i` as a value, a conversion problem thrown as it is (`LuaConversionError`), for
    /// host functions behind a Lua wrapper that word the error with the wrapper's own name.
    public func convertedValue(_ i: Int) throws -> LuaValue {
        try state.readValue(at: Int32(i), on: L)
    }

    /// Lua's type name of argument `i` ("no value" when absent).
    public func typeName(_ i: Int) -> String {
        if Int32(i) > lua_gettop(L) { return "no value" }
        return String(cString: clua_typename_at(L, Int32(i)))
    }

    /// Whether argument `i` is a function (which stays in Lua; see `ref`).
    public func isFunction(_ i: Int) -> Bool { lua_type(L, Int32(i)) == LUA_TFUNCTION }

    /// Anchors argument `i` (any Lua value) in the registry so the host can hand it back later.
    public func ref(_ i: Int) -> LuaRef {
        lua_pushvalue(L, Int32(i))
        return LuaRef(id: luaL_ref(L, CLUA_REGISTRYINDEX))
    }

    /// "chunk:line" of the script code calling in: the first Lua frame from `level` up
    /// (1 = the function calling the host) that has a line and is not in a chunk named in
    /// `skipping` (the host's own Lua wrappers), passing over C functions such as pcall.
    /// When only wrappers call in (a handler a plugin's Lua registered), the outermost of them.
    public func location(level: Int = 1, skipping: Set<String> = []) -> String? {
        var ar = lua_Debug()
        var lvl = Int32(level)
        var outermostWrapper: String?
        while lua_getstack(L, lvl, &ar) != 0 {
            lua_getinfo(L, "Sl", &ar)
            let source = withUnsafeBytes(of: ar.short_src) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if ar.currentline > 0 {
                if !skipping.contains(source) { return "\(source):\(ar.currentline)" }
                outermostWrapper = "\(source):\(ar.currentline)"
            }
            lvl += 1
        }
        return outermostWrapper
    }

    /// Whether the running coroutine can yield here (not inside a C boundary such as a
    /// `table.sort` comparator or a `string.gsub` callback).
    public var isYieldable: Bool { lua_isyieldable(L) != 0 }

    /// Identifies the coroutine making the call, to compare with `LuaThread.identity`.
    public var threadIdentity: UnsafeRawPointer { UnsafeRawPointer(L) }
}

/// The one C entry point for every host function: it runs the Swift closure, which returns,
/// and only then does the C trampoline raise or yield (see shim.h).
private func hostDispatch(_ L: OpaquePointer?) -> Int32 {
    guard let L, let raw = lua_touserdata(L, clua_upvalueindex(2)) else { return 0 }
    let box = Unmanaged<HostBox>.fromOpaque(raw).takeUnretainedValue()
    let state = box.state
    return state.withoutMemoryCap {
        let call = LuaCall(L: L, state: state, functionName: box.name)
        do {
            switch try box.fn(call) {
            case .values(let values):
                _ = lua_checkstack(L, Int32(values.count + 4))
                for v in values { state.pushValue(v, on: L) }
                return Int32(values.count)
            case .yield(let values):
                _ = lua_checkstack(L, Int32(values.count + 4))
                for v in values { state.pushValue(v, on: L) }
                return CLUA_YIELD_CODE
            }
        } catch let e as LuaHostError {
            if let v = e.value {
                state.pushValue(v, on: L)
            } else {
                let place = e.level > 0 ? call.location(level: e.level, skipping: state.wrapperSources) : nil
                state.pushValue(.string((place.map { "\($0): " } ?? "") + e.message), on: L)
            }
            return CLUA_RAISE_CODE
        } catch {
            let place = call.location(level: 1, skipping: state.wrapperSources)
            state.pushValue(.string((place.map { "\($0): " } ?? "") + String(describing: error)), on: L)
            return CLUA_RAISE_CODE
        }
    }
}

extension LuaState {
    func pushHostFunction(name: String, _ fn: @escaping LuaHostFunction) {
        let box = Unmanaged.passRetained(HostBox(name: name, fn: fn, state: self))
        hostBoxes.append(box)
        lua_pushlightuserdata(L, box.toOpaque())
        clua_pushhost(L, hostDispatch, 1)
    }

    /// A new table whose fields are host functions, named `prefix.key` in errors.
    public func makeHostTable(prefix: String, functions: [String: LuaHostFunction]) -> LuaRef {
        withoutMemoryCap {
            lua_createtable(L, 0, Int32(functions.count))
            for (key, fn) in functions {
                pushHostFunction(name: prefix.isEmpty ? key : "\(prefix).\(key)", fn)
                lua_setfield(L, -2, key)
            }
            return popRef()
        }
    }

    /// A single host function as a Lua value.
    public func makeHostFunction(name: String, _ fn: @escaping LuaHostFunction) -> LuaRef {
        withoutMemoryCap {
            pushHostFunction(name: name, fn)
            return popRef()
        }
    }
}
