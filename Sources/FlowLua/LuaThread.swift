import CLua

/// How a resumed coroutine stopped.
public enum LuaResumeResult {
    /// It yielded these values (a host function asked the runner to do something).
    case yielded([LuaValue])
    /// Its function returned these values.
    case returned([LuaValue])
    /// It raised an error, or a limit ended it; the coroutine is dead.
    case failed(LuaError)
}

/// A coroutine the host drives: a workflow body runs in one, resumed each time the runner has
/// the result of a step the body asked for.
public final class LuaThread {
    let state: LuaState
    let T: OpaquePointer
    let anchor: LuaRef
    private var started = false

    /// A coroutine that will run `function` on its first resume.
    public init(state: LuaState, function: LuaRef) {
        self.state = state
        (T, anchor) = state.withoutMemoryCap {
            let thread = lua_newthread(state.L)!
            let anchor = state.popRef()
            state.push(function)
            // Where the function comes from, for a location search once a tail call has
            // removed its frame (LuaState.tailCallLocation). `>` pops the copy.
            var ar = lua_Debug()
            lua_pushvalue(state.L, -1)
            lua_getinfo(state.L, ">S", &ar)
            if ar.what.map({ String(cString: $0) }) != "C" {
                state.threadBodySources[UnsafeRawPointer(thread)] = withUnsafeBytes(of: ar.short_src) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
            }
            lua_xmove(state.L, thread, 1)
            return (thread, anchor)
        }
    }

    deinit {
        state.threadBodySources[UnsafeRawPointer(T)] = nil
        state.release(anchor)
    }

    /// Equal to `LuaCall.threadIdentity` for calls made from this coroutine.
    public var identity: UnsafeRawPointer { UnsafeRawPointer(T) }

    /// "chunk:line" of the script's own code where this coroutine stopped (where it yielded,
    /// or raised), the host's wrappers passed over.
    public var location: String? {
        state.currentLocation(of: T, skipping: state.wrapperSources)
    }

    public var isDead: Bool {
        started && lua_status(T) == LUA_OK && lua_gettop(T) == 0
    }

    /// Resumes with `arguments` (the body's arguments the first time; the answer to a yield after).
    public func resume(_ arguments: [LuaArgument] = []) -> LuaResumeResult {
        started = true
        state.withoutMemoryCap {
            _ = lua_checkstack(T, Int32(arguments.count + 8))
            for a in arguments { state.pushArgument(a, on: T) }
        }
        var nresults: Int32 = 0
        let status = state.withMemoryCap { lua_resume(T, state.L, Int32(arguments.count), &nresults) }
        return state.withoutMemoryCap {
            if let kind = state.trippedLimit {
                return .failed(state.limitError(kind, thread: T))
            }
            switch status {
            case LUA_OK, LUA_YIELD:
                var values: [LuaValue] = []
                let n = nresults
                for i in 0..<n {
                    do {
                        values.append(try state.readValue(at: -n + i, on: T))
                    } catch let e as LuaConversionError {
                        clua_pop(T, n)
                        return .failed(LuaError(kind: .runtime, message: "the workflow returned \(e)"))
                    } catch {
                        clua_pop(T, n)
                        return .failed(LuaError(kind: .runtime, message: "\(error)"))
                    }
                }
                clua_pop(T, n)
                return status == LUA_OK ? .returned(values) : .yielded(values)
            default:
                // Also for error objects (tables), which carry no place of their own.
                clua_traceback(state.L, T, nil, 0)
                let traceback: String? = state.popErrorMessage(on: state.L)
                var error = state.errorFromStack(status: status, on: T)
                error.traceback = traceback
                // A value that is not a string carries no place: give it the raiser's line.
                if error.kind == .errorObject, error.location == nil, let place = location {
                    error.message = "\(place): \(error.message)"
                }
                return .failed(error)
            }
        }
    }
}
