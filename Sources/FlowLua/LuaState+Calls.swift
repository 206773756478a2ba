import CLua

/// Loading chunks and calling Lua from the host (outside any workflow coroutine).
extension LuaState {
    /// Compiles text (never a binary chunk) as `chunkName` ("@path" for files, so errors say
    /// `path:line`). With `environment`, the chunk's globals are that table, not `_G`.
    public func load(_ source: [UInt8], chunkName: String, environment: LuaRef? = nil) throws -> LuaRef {
        try withoutMemoryCap {
            let status = source.withUnsafeBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buf.count, 1)) { p in
                    clua_loadbuffer(L, p, buf.count, chunkName, "t")
                }
            }
            guard status == LUA_OK else {
                let message = popErrorMessage(on: L)
                throw LuaError(kind: .syntax, message: message)
            }
            if let env = environment {
                push(env)
                // _ENV is a text chunk's first and only upvalue.
                _ = lua_setupvalue(L, -2, 1)
            }
            return popRef()
        }
    }

    public func load(_ source: String, chunkName: String, environment: LuaRef? = nil) throws -> LuaRef {
        try load(Array(source.utf8), chunkName: chunkName, environment: environment)
    }

    /// Calls `function` with `arguments` in protected mode on the main thread; the script's
    /// limits apply. Results that are not plain values (functions, tables with functions) can
    /// be taken as refs with `callForRefs`.
    @discardableResult
    public func call(_ function: LuaRef, _ arguments: [LuaArgument] = []) throws -> [LuaValue] {
        try protectedCall(function, arguments) { n in
            var out: [LuaValue] = []
            for i in 0..<n {
                do {
                    out.append(try readValue(at: -n + i, on: L))
                } catch let e as LuaConversionError {
                    throw LuaError(kind: .runtime, message: "result #\(i + 1): \(e)")
                }
            }
            return out
        }
    }

    public func callForRefs(_ function: LuaRef, _ arguments: [LuaArgument] = []) throws -> [LuaRef] {
        try protectedCall(function, arguments) { n in
            var refs: [LuaRef] = []
            for i in 0..<n {
                lua_pushvalue(L, -n + i)
                refs.append(popRef())
            }
            return refs
        }
    }

    private func protectedCall<T>(_ function: LuaRef, _ arguments: [LuaArgument], results: (Int32) throws -> T) throws -> T {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        try withoutMemoryCap {
            guard lua_checkstack(L, Int32(arguments.count + 8)) != 0 else {
                throw LuaError(kind: .runtime, message: "no Lua stack space left")
            }
            push(function)
            for a in arguments { pushArgument(a, on: L) }
        }
        let status = withMemoryCap { clua_pcall(L, Int32(arguments.count), CLUA_MULTRET, 0) }
        return try withoutMemoryCap {
            if let kind = trippedLimit { throw limitError(kind, thread: L) }
            guard status == LUA_OK else { throw errorFromStack(status: status, on: L) }
            return try results(lua_gettop(L) - base)
        }
    }

    func pushArgument(_ a: LuaArgument, on L: OpaquePointer) {
        switch a {
        case .value(let v): pushValue(v, on: L)
        case .ref(let r):
            lua_rawgeti(L, CLUA_REGISTRYINDEX, lua_Integer(r.id))
            if L != self.L { lua_xmove(self.L, L, 0) }
        }
    }

    /// Turns the error on top of `L`'s stack into a LuaError and pops it.
    func errorFromStack(status: Int32, on L: OpaquePointer) -> LuaError {
        if status == LUA_ERRMEM {
            clua_pop(L, 1)
            return LuaError(kind: .memoryLimit, message: "not enough memory")
        }
        if lua_type(L, -1) == LUA_TSTRING {
            return LuaError(kind: .runtime, message: popErrorMessage(on: L))
        }
        let value = (try? readValue(at: -1, on: L)) ?? .nil
        let rendered = LuaState.render(errorValue: value, typeName: String(cString: clua_typename_at(L, -1)))
        clua_pop(L, 1)
        return LuaError(kind: .errorObject, message: rendered, value: value)
    }

    func popErrorMessage(on L: OpaquePointer) -> String {
        var len = 0
        let message: String
        if let p = lua_tolstring(L, -1, &len) {
            message = String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
        } else {
            message = "(error object is a \(String(cString: clua_typename_at(L, -1))) value)"
        }
        clua_pop(L, 1)
        return message
    }

    /// An error raised with a table keeps its `message` (and `name`) readable; anything else
    /// is described by type, as lua.c does.
    static func render(errorValue: LuaValue, typeName: String) -> String {
        if case .table(let t) = errorValue {
            let name = t["name"]?.stringValue
            let message = t["message"]?.stringValue
            switch (name, message) {
            case let (n?, m?): return "\(n): \(m)"
            case let (nil, m?): return m
            case let (n?, nil): return n
            default: break
            }
        }
        // By Lua's type, not the value read: a function or a cyclic table reads as nil.
        return "(error object is a \(typeName) value)"
    }
}
