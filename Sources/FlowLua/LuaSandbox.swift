import CLua

/// The environment a sandboxed chunk sees instead of `_G`: Lua's pure libraries (copied, so a
/// script cannot reach the host's own tables), text-only `load`, and a clear error for each
/// facility that is withheld. The host adds its own globals (`flow`, `require`) afterwards.
public struct LuaSandboxPolicy: Sendable {
    /// Name ("io", "os.clock") → why it is withheld and what to use instead.
    public var refusals: [String: String]

    public init(refusals: [String: String]) {
        self.refusals = refusals
    }

    public static let standard = LuaSandboxPolicy(refusals: [
        "io": "io is not available in a sandboxed script",
        "debug": "debug is not available in a sandboxed script",
        "package": "package is not available in a sandboxed script",
        "dofile": "dofile is not available in a sandboxed script",
        "loadfile": "loadfile is not available in a sandboxed script",
        "require": "require is not available in a sandboxed script",
        "string.dump": "string.dump is not available in a sandboxed script",
        "os.execute": "os.execute is not available in a sandboxed script",
        "os.exit": "os.exit is not available in a sandboxed script",
        "os.getenv": "os.getenv is not available in a sandboxed script",
        "os.remove": "os.remove is not available in a sandboxed script",
        "os.rename": "os.rename is not available in a sandboxed script",
        "os.tmpname": "os.tmpname is not available in a sandboxed script",
        "os.setlocale": "os.setlocale is not available in a sandboxed script",
        "os.clock": "os.clock is not available in a sandboxed script",
        "os.time": "os.time is not available in a sandboxed script",
        "os.date": "os.date is not available in a sandboxed script",
        "math.random": "math.random is not available in a sandboxed script",
        "math.randomseed": "math.randomseed is not available in a sandboxed script",
    ])
}

extension LuaState {
    /// A fresh sandbox environment table.
    public func makeSandbox(_ policy: LuaSandboxPolicy = .standard) throws -> LuaRef {
        let builder = try load(LuaState.sandboxBuilder, chunkName: "=flow.sandbox")
        let refusals = LuaValue.table(policy.refusals.mapValues { .string($0) })
        let gc = withoutMemoryCap {
            clua_push_sandbox_gc(L)
            return popRef()
        }
        defer { release(gc) }
        let patterns = withoutMemoryCap {
            clua_push_bounded_patterns(L)
            return popRef()
        }
        defer { release(patterns) }
        guard let env = try callForRefs(builder, [.value(refusals), .ref(gc), .ref(patterns)]).first else {
            throw LuaError(kind: .runtime, message: "sandbox builder returned nothing")
        }
        return env
    }

    static let sandboxBuilder = """
    local refusals, chargedgc, patterns = ...
    local function copy(t) local c = {} for k, v in pairs(t) do c[k] = v end return c end
    -- Lua's pattern functions run in C beyond the count hook, and backtracking can take for ever:
    -- the state's own string table (the string metatable's __index, so methods too) gets
    -- versions that charge every step to the instruction budget (CLua's patterns.h).
    for name, f in pairs(patterns) do string[name] = f end
    local env = {}
    for _, name in ipairs{ "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal",
      "rawget", "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber",
      "tostring", "type", "xpcall", "print", "_VERSION" } do
      env[name] = _G[name]
    end
    string.dump = nil
    env.string = copy(string)
    env.table = copy(table)
    env.math = copy(math)
    env.utf8 = copy(utf8)
    env.coroutine = copy(coroutine)
    env.os = { difftime = os.difftime, time = os.time, date = os.date, clock = os.clock }
    local rawload = load
    env.load = function(chunk, name, mode, e)
      if mode ~= nil and mode ~= "t" then
        error("load: binary chunks are not allowed (mode must be \\"t\\")", 2)
      end
      return rawload(chunk, name, "t", e or env)
    end
    -- Collections are charged to the instruction budget (shim.h: clua_sandbox_gc).
    env.collectgarbage = function(opt)
      if opt == nil or opt == "count" or opt == "collect" or opt == "step" then
        return chargedgc(opt or "collect")
      end
      error("collectgarbage('" .. tostring(opt) .. "') is not available in a sandboxed script", 2)
    end
    -- Lua runs a __gc finaliser with its hooks off, so no limit stops an endless one (and
    -- closing the interpreter runs every pending one): scripts get no finalisers. Any __gc
    -- field counts, since a false one marks the object and may be replaced by a function later.
    local rawsetmetatable = setmetatable
    env.setmetatable = function(t, mt)
      if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("setmetatable: __gc is not available in a sandboxed script (a finaliser runs outside the script's limits)", 2)
      end
      return rawsetmetatable(t, mt)
    end
    env._G = env
    local top = {}
    for name, why in pairs(refusals) do
      local lib, field = name:match("^([%w_]+)%.([%w_]+)$")
      if lib then
        if type(env[lib]) == "table" then
          env[lib][field] = function() error(why, 2) end
        end
      else
        env[name] = nil
        top[name] = why
      end
    end
    setmetatable(env, {
      __index = function(_, k) local why = top[k]; if why then error(why, 2) end end,
      __metatable = false,
    })
    -- Strings share one metatable; a script must not be able to swap its methods for others.
    getmetatable("").__metatable = false
    return env
    """
}
