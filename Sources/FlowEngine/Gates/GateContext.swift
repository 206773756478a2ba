/// The `ctx` a gate's function receives and the sandbox it runs in. The calls that reach the
/// world (`ctx.call`, `ctx.http.get`, `ctx.PLUGIN.FN`) are host functions themselves, not Lua
/// wrappers: a gate that ends with `return ctx.call(...)` makes a tail call, and only a C
/// function in tail position keeps the gate's frame, so errors can still name the gate's line.
/// They never longjmp over Swift: a failure is raised by the C trampoline after Swift returned,
/// as a table `{ name =, message =, where = }` that a gate may catch with pcall.
///
/// The Lua part assembles ctx, replaces print, and holds the coroutine's body. It runs with the
/// real globals (it needs `debug` to find the gate's definition line), which the gate never sees.
enum GateContext {
    static let chunkName = "=gate"
    /// How Lua names the wrapper in stack frames: skipped when blaming a line on the gate.
    static let wrapperSources: Set<String> = ["gate"]
    /// ctx fields of its own: a plugin with one of these names is reached with ctx.call only.
    static let reserved: Set<String> = ["call", "http", "log", "now", "execution_id", "attempt", "gate"]

    static let source = #"""
    local H, http, env, info, plugins = ...
    local sugar = { select(6, ...) }

    local ctx = {
      call = H.call,
      http = http,
      now = H.now,
      execution_id = info.execution_id,
      attempt = info.attempt,
      gate = info.gate,
    }
    for i, name in ipairs(plugins) do ctx[name] = sugar[i] end

    function ctx.log(...)
      local parts = table.pack(...)
      for i = 1, parts.n do parts[i] = tostring(parts[i]) end
      H.log(table.concat(parts, " ", 1, parts.n))
    end

    -- A gate's stdout is the CLI's: print goes to the log instead.
    env.print = ctx.log

    -- The time limit raises an ordinary error, which a loop around pcall could catch forever:
    -- past the limit, errors pass through every catcher so the timeout ends the measurement.
    local rawpcall, rawxpcall, rawresume = pcall, xpcall, coroutine.resume
    local function passthrough(ok, ...)
      if not ok and H.expired() then error((...), 0) end
      return ok, ...
    end
    env.pcall = function(...) return passthrough(rawpcall(...)) end
    env.xpcall = function(...) return passthrough(rawxpcall(...)) end
    env.coroutine.resume = function(...) return passthrough(rawresume(...)) end

    -- The file's top level, run in a coroutine like the function so that a limit or an error
    -- there is located the same way. The host keeps what it returned.
    local function load(chunk)
      local r = table.pack(chunk())
      local fn = r[1]
      local defined
      if type(fn) == "function" then
        local i = debug.getinfo(fn, "S")
        if i.what ~= "C" then defined = i.short_src .. ":" .. i.linedefined end
      end
      H.loaded(r.n, fn, defined)
    end

    -- The coroutine's body: the result goes to the host as it is, which checks it and says
    -- what is wrong (a value that is not a table, a function inside it, a bad status).
    local function main(fn, c, args)
      local r = table.pack(fn(c, args))
      H.result(r.n, r[1])
    end

    return ctx, load, main
    """#

    /// Why each withheld facility is withheld in a gate, and what to do instead. Unlike a
    /// workflow, a gate is never replayed, so the clock and math.random are left alone.
    static let refusals: [String: String] = [
        "io": "io is not available in gates: a gate measures through ctx (ctx.http.get, ctx.call)",
        "debug": "debug is not available in gates: it reaches past the sandbox",
        "package": "package is not available in gates: a gate is one file; what it may call is on ctx",
        "require": "require is not available in gates: a gate is one file; what it may call is on ctx",
        "dofile": "dofile is not available in gates: a gate is one file",
        "loadfile": "loadfile is not available in gates: a gate is one file",
        "string.dump": "string.dump is not available in gates: gates are loaded from source only",
        "os.execute": "os.execute is not available in gates: gates only measure; run commands from the workflow with flow.exec",
        "os.exit": "os.exit is not available in gates: return { status = \"fail\", reason = ... } or raise an error",
        "os.getenv": "os.getenv is not available in gates: pass values in the gate's args",
        "os.remove": "os.remove is not available in gates: gates only measure",
        "os.rename": "os.rename is not available in gates: gates only measure",
        "os.tmpname": "os.tmpname is not available in gates: gates only measure",
        "os.setlocale": "os.setlocale is not available in gates",
    ]

    /// "bad argument #3 to 'gate.call' (PROBLEM)" -> "PROBLEM": the host's own argument
    /// numbers mean nothing to the gate's author.
    static func problem(in message: String) -> String {
        guard let open = message.range(of: "' ("), message.hasSuffix(")") else { return message }
        return String(message[open.upperBound..<message.index(before: message.endIndex)])
    }
}
