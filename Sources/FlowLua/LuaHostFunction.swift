import CLua

/// What a host function hands back to Lua.
public enum LuaHostResult {
    /// Return these values to the caller.
    case values([LuaValue])
    /// Return these three values: `.values([a, b, c])` without an array allocated and freed per
    /// call (a replayed step answers this way, a million times in a long replay).
    case three(LuaValue, LuaValue, LuaValue)
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
    /// The state owns its boxes (it releases them when it closes, after which Lua calls none of
    /// them), so no reference count is kept: an `unowned` one was checked on every call.
    unowned(unsafe) let state: LuaState
    init(name: String, fn: @escaping LuaHostFunction, state: LuaState) {
        self.name = name
        self.fn = fn
        self.state = state
    }
}

/// The arguments of one call from Lua into a host function.
public struct LuaCall {
    let L: OpaquePointer
    /// The function's box, which its state keeps for as long as Lua can call the function (a
    /// call is valid no longer than that: `L` is the caller's stack): no reference is counted for
    /// it, nor for the state and name it holds, on each of a replay's million calls.
    unowned(unsafe) let box: HostBox
    var state: LuaState { box.state }
    /// The host function's name, for error messages.
    public var functionName: String { box.name }

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

    /// Argument `i` when it is a Lua string (a number is not converted), as `value(i).stringValue`
    /// would give it (bytes that are not UTF-8 repaired), without making a `LuaValue` of it; nil
    /// for any other type. The same bytes as the last string taken this way give back the same
    /// String, so a step name in a loop is neither allocated nor validated again.
    public func string(_ i: Int) -> String? {
        guard lua_type(L, Int32(i)) == LUA_TSTRING else { return nil }
        var len = 0
        let p = lua_tolstring(L, Int32(i), &len)!
        let bytes = UnsafeRawBufferPointer(start: p, count: len)
        return state.recentString(bytes)
    }

    /// Whether argument `i` is nil or absent.
    public func isNil(_ i: Int) -> Bool {
        let t = lua_type(L, Int32(i))
        return t == LUA_TNIL || t == LUA_TNONE
    }

    /// Whether argument `i` is a table with no entries (as `value(i)` reads it: raw, without
    /// metamethods; `.table([:])`).
    public func isEmptyTable(_ i: Int) -> Bool {
        let idx = lua_absindex(L, Int32(i))
        guard lua_type(L, idx) == LUA_TTABLE, lua_checkstack(L, 2) != 0 else { return false }
        lua_pushnil(L)
        guard lua_next(L, idx) == 0 else {
            clua_pop(L, 2)
            return false
        }
        return true
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
    /// When only wrappers call in (a handler a plugin's Lua registered), the outermost of them;
    /// but when the outermost frame was reached by a tail call (a script's top-level
    /// `return flow.step(...)`), the chunk that made it, as "chunk:(...tail calls...)" (see
    /// `LuaState.tailCallLocation`).
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
        return state.tailCallLocation(on: L, below: lvl) ?? outermostWrapper
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
    return Unmanaged<HostBox>.fromOpaque(raw)._withUnsafeGuaranteedRef { box in dispatch(box, on: L) }
}

private func dispatch(_ box: HostBox, on L: OpaquePointer) -> Int32 {
    let state = box.state
    return state.withoutMemoryCap {
        let call = LuaCall(L: L, box: box)
        do {
            switch try box.fn(call) {
            case .values(let values):
                _ = lua_checkstack(L, Int32(values.count + 4))
                for v in values { state.pushValue(v, on: L) }
                return Int32(values.count)
            case .three(let a, let b, let c):
                _ = lua_checkstack(L, 3 + 4)
                state.pushValue(a, on: L)
                state.pushValue(b, on: L)
                state.pushValue(c, on: L)
                return 3
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
