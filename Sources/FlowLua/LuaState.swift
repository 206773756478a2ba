import CLua
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Lua 5.4 interpreter. Not thread-safe and not Sendable: one owner drives it, one call at
/// a time, which is how a workflow runs (a single coroutine, resumed by the runner).
public final class LuaState {
    let L: OpaquePointer
    let limitsPointer: UnsafeMutablePointer<clua_Limits>
    public let limits: LuaLimits
    var hostBoxes: [Unmanaged<HostBox>] = []
    /// Sources (as Lua's `short_src` names them) of the host's own Lua wrappers: errors and
    /// locations blame the first frame outside them, the script author's line.
    public var wrapperSources: Set<String> = []
    /// The last short string `LuaCall.string` made (see `recentString`).
    private var lastString = ""
    /// For each live `LuaThread`, the `short_src` of the function it began with (see
    /// `tailCallLocation`). A tail call replaces its caller's frame, and a coroutine's first
    /// function has no frame below it, so once it tail-calls this is the only record of it.
    var threadBodySources: [UnsafeRawPointer: String] = [:]

    public init(limits: LuaLimits = LuaLimits()) throws {
        self.limits = limits
        limitsPointer = .allocate(capacity: 1)
        limitsPointer.initialize(to: clua_Limits())
        limitsPointer.pointee.budget = limits.instructions ?? -1
        limitsPointer.pointee.period = limits.hookPeriod
        guard let state = clua_newstate(limitsPointer) else {
            limitsPointer.deallocate()
            throw LuaError(kind: .memoryLimit, message: "cannot create a Lua state: out of memory")
        }
        L = state
        luaL_openlibs(L)
        clua_sethook(L, limits.hookPeriod)
    }

    deinit {
        lua_close(L)
        limitsPointer.deallocate()
        for box in hostBoxes { box.release() }
    }

    // MARK: limits

    /// Bytes Lua holds now, and the most it ever held.
    public var memoryInUse: Int { Int(limitsPointer.pointee.used) }
    public var peakMemory: Int { Int(limitsPointer.pointee.peak) }
    /// Instructions executed so far (counted in hook periods).
    public var instructionsExecuted: Int64 { limitsPointer.pointee.executed * Int64(limits.hookPeriod) }

    /// A wall-clock deadline for the Lua code that runs next (a step's timeout); it raises an
    /// ordinary "timed out" error that the step machinery catches. nil clears it.
    public func setDeadline(secondsFromNow: Double?) {
        if let s = secondsFromNow {
            limitsPointer.pointee.deadline = clua_monotonic_now() + s
        } else {
            limitsPointer.pointee.deadline = 0
        }
    }

    /// After a limit ended one coroutine, gives the state a fresh instruction budget so the
    /// host can still run cleanup code (a workflow's compensation) in it. Memory the dead
    /// coroutine held is collected first; the memory cap stays in force.
    public func resetLimits() {
        limitsPointer.pointee.tripped = 0
        limitsPointer.pointee.budget = limits.instructions ?? -1
        limitsPointer.pointee.deadline = 0
        collectGarbage()
    }

    var trippedLimit: LuaError.Kind? {
        switch limitsPointer.pointee.tripped {
        case 1: .memoryLimit
        case 2: .instructionLimit
        default: nil
        }
    }

    /// The cap applies only while script code runs. Host code that pushes or reads values runs
    /// without it, because an allocation failure there would longjmp through Swift frames.
    func withoutMemoryCap<T>(_ body: () throws -> T) rethrows -> T {
        let saved = limitsPointer.pointee.cap
        limitsPointer.pointee.cap = 0
        defer { limitsPointer.pointee.cap = saved }
        return try body()
    }

    func withMemoryCap<T>(_ body: () throws -> T) rethrows -> T {
        let saved = limitsPointer.pointee.cap
        limitsPointer.pointee.cap = limits.memoryBytes > 0 ? size_t(limits.memoryBytes) : 0
        defer { limitsPointer.pointee.cap = saved }
        return try body()
    }

    func limitError(_ kind: LuaError.Kind, thread: OpaquePointer) -> LuaError {
        let place = currentLocation(of: thread).map { "\($0): " } ?? ""
        switch kind {
        case .memoryLimit:
            let mib = limits.memoryBytes >> 20
            return LuaError(kind: kind, message: "\(place)memory limit exceeded: the script used more than \(mib) MiB")
        default:
            let n = limits.instructions ?? 0
            return LuaError(kind: kind, message: "\(place)instruction limit exceeded: the script ran more than \(n) instructions")
        }
    }

    /// "chunk:line" of the innermost Lua function running on `thread`, passing over chunks
    /// named in `skipping` (the host's own wrappers).
    /// When only wrappers are running and the outermost of them was tail-called, the chunk
    /// that made the tail call (see `tailCallLocation`).
    func currentLocation(of thread: OpaquePointer, skipping: Set<String> = []) -> String? {
        var ar = lua_Debug()
        var level: Int32 = 0
        while lua_getstack(thread, level, &ar) != 0 {
            lua_getinfo(thread, "Sl", &ar)
            if ar.currentline > 0 {
                let src = withUnsafeBytes(of: ar.short_src) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if !skipping.contains(src) { return "\(src):\(ar.currentline)" }
            }
            level += 1
        }
        return tailCallLocation(on: thread, below: level)
    }

    /// What a location search that found no script frame on `thread` reports when the
    /// outermost frame (the last below `depth`, the first level `lua_getstack` refused) was
    /// reached by a tail call: "chunk:(...tail calls...)", the chunk being that of the function
    /// the coroutine began with. nil when it was not a tail call or the thread is not a
    /// `LuaThread`.
    ///
    /// Why: a top-level `return flow.step(...)` in a script's main chunk is a tail call, so the
    /// chunk's frame is gone before the wrapper asks where it was called from; the outermost
    /// frame left is the wrapper's own, and "flow:50" would send whoever reads a determinism
    /// report or an error to the engine's prelude. The line of the tail call is lost with the
    /// frame (Lua's debug interface keeps no trace of the caller, and a chunk may hold several
    /// top-level tail calls, so the main function's active lines cannot single it out), but the
    /// chunk is known: it began the coroutine, or tail-called (through any chain) what now sits
    /// at its bottom. The text is that chunk in place of the usual "chunk:line", with Lua's own
    /// traceback wording for frames a tail call removed in place of the line: not a number, so
    /// no one (nor `LuaError.splitLocation`) takes it for a line. It depends only on the script,
    /// so a resume locates a new step the same way a first run did.
    func tailCallLocation(on thread: OpaquePointer, below depth: Int32) -> String? {
        guard let body = threadBodySources[UnsafeRawPointer(thread)] else { return nil }
        var ar = lua_Debug()
        var level = depth - 1
        while level >= 0, lua_getstack(thread, level, &ar) == 0 { level -= 1 }
        guard level >= 0 else { return nil }
        lua_getinfo(thread, "t", &ar)
        return ar.istailcall != 0 ? "\(body):(...tail calls...)" : nil
    }

    // MARK: strings

    /// `bytes` decoded as UTF-8 (invalid sequences repaired), or the last string this returned
    /// when they are the same bytes: a step's name, asked for again by every step of a loop, is
    /// then neither validated nor allocated again. Only short strings are kept.
    func recentString(_ bytes: UnsafeRawBufferPointer) -> String {
        if lastString.utf8.count == bytes.count, !bytes.isEmpty,
           lastString.utf8.withContiguousStorageIfAvailable({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) == true
        {
            return lastString
        }
        let s = String(decoding: bytes, as: UTF8.self)
        if bytes.count <= 256 { lastString = s }
        return s
    }

    // MARK: refs

    /// Pops the top of the stack into the registry.
    func popRef() -> LuaRef {
        LuaRef(id: luaL_ref(L, CLUA_REGISTRYINDEX))
    }

    func push(_ ref: LuaRef) {
        lua_rawgeti(L, CLUA_REGISTRYINDEX, lua_Integer(ref.id))
    }

    public func release(_ ref: LuaRef) {
        luaL_unref(L, CLUA_REGISTRYINDEX, ref.id)
    }

    /// Collects garbage now; used between runs and by benchmarks.
    public func collectGarbage() {
        _ = withoutMemoryCap { clua_gc_collect(L) }
    }
}
