/// The `flow` module as scripts see it, written in Lua over a few host primitives (`H`). It
/// runs with the real globals, which scripts never see: they get `flow`, `require` and the
/// replacements for `os.time`, `os.date`, `math.random` and `print` in their sandbox.
///
/// Host primitives return `ok, value` pairs instead of raising, so the error a script sees is
/// raised here, at the script's own line (level 2), as a table with `name` and `message`.
public enum WorkflowPrelude {
    static let chunkName = "=flow"
    /// How Lua names the prelude in stack frames: skipped when blaming a line on the script.
    static let wrapperSources: Set<String> = ["flow"]

    static let source = #"""
    local H, env = ...
    local flow = {}

    local StepError = {
      __tostring = function(e) return tostring(e.name) .. ": " .. tostring(e.message) end,
    }
    local function raise(err, level)
      error(setmetatable(err, StepError), level + 1)
    end
    local function argerror(n, fname, expected, got)
      return ("bad argument #%d to '%s' (%s expected, got %s)"):format(n, fname, expected, type(got))
    end

    -- flow.required / flow.required "number": a parameter without a default.
    local Required = {}
    Required.__index = Required
    local required = setmetatable({ required = true }, {
      __call = function(_, typ)
        if typ ~= nil and typ ~= "string" and typ ~= "number" and typ ~= "integer" and typ ~= "boolean" and typ ~= "table" then
          error("flow.required: type must be string, number, integer, boolean or table, got " .. tostring(typ), 2)
        end
        return setmetatable({ required = true, type = typ }, Required)
      end,
      __tostring = function() return "flow.required" end,
    })
    flow.required = required

    function flow.params(decl)
      if type(decl) ~= "table" then error(argerror(1, "flow.params", "table", decl), 2) end
      local spec = {}
      for k, v in pairs(decl) do
        if type(k) ~= "string" then error("flow.params: parameter names must be strings", 2) end
        if v == required or getmetatable(v) == Required then
          spec[k] = { required = true, type = v.type }
        else
          local t = type(v)
          if t ~= "string" and t ~= "number" and t ~= "boolean" and t ~= "table" then
            error(("flow.params: default of '%s' must be a string, number, boolean or table, got %s"):format(k, t), 2)
          end
          spec[k] = { default = v }
        end
      end
      return H.params(spec)
    end

    function flow.step(name, fn, opts)
      if type(name) ~= "string" then error(argerror(1, "flow.step", "string", name), 2) end
      if type(fn) ~= "function" then error(argerror(2, "flow.step", "function", fn), 2) end
      if opts ~= nil and type(opts) ~= "table" then error(argerror(3, "flow.step", "table", opts), 2) end
      local mode, a, b = H.step_begin(name, opts)
      while mode == "run" do
        local ok, v = pcall(fn)
        mode, a, b = H.step_end(ok, v)
      end
      if a then return b end
      raise(b, 2)
    end

    local function native(qualified, display)
      return function(args)
        if type(args) ~= "table" then error(argerror(1, display, "table", args), 2) end
        local ok, v = H.native(qualified, display, args)
        if ok then return v end
        raise(v, 2)
      end
    end
    flow.exec = native("core.exec", "flow.exec")
    -- flow.notify{ text, url?, event?, fields? }: the notify plugin's journaled step (plugins/notify).
    flow.notify = native("notify.send", "flow.notify")

    -- A gate answers pass, fail or inconclusive. By default a fail raises GateFailed (so the
    -- workflow fails and its on_failure handlers fail back), and an inconclusive verdict pauses
    -- for a person: `flow signal ID promote` goes on, `flow cancel ID` fails back, and no answer
    -- within pause_timeout is a failure. on_fail / on_inconclusive = "return" hand the verdict
    -- to the script instead.
    local gate_options = { on_fail = true, on_inconclusive = true, pause_timeout = true }
    local function gate(qualified, display, args)
      local call = {}
      for k, v in pairs(args) do
        if not gate_options[k] then call[k] = v end
      end
      local on_fail, on_inconclusive = args.on_fail or "error", args.on_inconclusive or "pause"
      if on_fail ~= "error" and on_fail ~= "return" then
        error(("bad argument 'on_fail' to '%s' (\"error\" or \"return\" expected)"):format(display), 3)
      end
      if on_inconclusive ~= "pause" and on_inconclusive ~= "fail" and on_inconclusive ~= "return" then
        error(("bad argument 'on_inconclusive' to '%s' (\"pause\", \"fail\" or \"return\" expected)"):format(display), 3)
      end
      local ok, r = H.native(qualified, display, call)
      if not ok then raise(r, 3) end
      if r.status == "inconclusive" and on_inconclusive == "pause" then
        local timeout = args.pause_timeout or 3600
        flow.log(("%s is inconclusive: %s; waiting up to %s s for 'flow signal ID promote' (or 'flow cancel ID' to fail back)")
          :format(display, r.reason, timeout))
        local promoted = H.signal("promote", timeout)
        if promoted then
          r.status, r.promoted = "pass", true
          return r
        end
        r.status, r.reason = "fail", ("inconclusive and not promoted within %s s: %s"):format(timeout, r.reason)
      elseif r.status == "inconclusive" and on_inconclusive == "fail" then
        r.status = "fail"
      end
      if r.status == "fail" and on_fail == "error" then
        raise({ name = "GateFailed", message = display .. ": " .. r.reason }, 3)
      end
      return r
    end

    local function gatefn(qualified, display)
      return function(args)
        if type(args) ~= "table" then error(argerror(1, display, "table", args), 2) end
        return gate(qualified, display, args)
      end
    end

    -- flow.gate("error_rate", {...}): a team's Lua gate from plugins/gates (or --plugins).
    function flow.gate(name, args)
      if type(name) ~= "string" then error(argerror(1, "flow.gate", "string", name), 2) end
      if args ~= nil and type(args) ~= "table" then error(argerror(2, "flow.gate", "table", args), 2) end
      local call, rest = { gate = name }, {}
      local analysis = { every = true, ["for"] = true, count = true, failure_limit = true, inconclusive_limit = true,
                         consecutive_errors = true, ["until"] = true, retry = true, timeout = true }
      for k, v in pairs(args or {}) do
        if analysis[k] or gate_options[k] then call[k] = v else rest[k] = v end
      end
      call.args = rest
      return gate("gates.run", "gate " .. name, call)
    end

    function flow.sleep(seconds)
      if type(seconds) ~= "number" then error(argerror(1, "flow.sleep", "number", seconds), 2) end
      if seconds < 0 or seconds ~= seconds then error("bad argument #1 to 'flow.sleep' (seconds must be >= 0)", 2) end
      H.sleep(seconds)
    end

    function flow.signal(name, opts)
      if type(name) ~= "string" then error(argerror(1, "flow.signal", "string", name), 2) end
      if opts ~= nil and type(opts) ~= "table" then error(argerror(2, "flow.signal", "table", opts), 2) end
      local timeout = opts and opts.timeout
      if opts then
        for k in pairs(opts) do
          if k ~= "timeout" then error("bad argument #2 to 'flow.signal' (unknown option '" .. tostring(k) .. "'; expected: timeout)", 2) end
        end
        if timeout ~= nil and (type(timeout) ~= "number" or timeout < 0) then
          error("bad argument #2 to 'flow.signal' (timeout must be a number of seconds >= 0)", 2)
        end
      end
      local ok, data = H.signal(name, timeout)
      if not ok then return nil, "timeout" end
      if data == nil then return true end
      return data
    end

    function flow.now() return H.now() end

    -- The execution's id: the same on every replay, so it needs no journal record.
    function flow.id() return H.id() end

    function flow.random(m, n)
      local r = H.random()
      if m == nil then return r end
      if n == nil then m, n = 1, m end
      if math.type(m) ~= "integer" or math.type(n) ~= "integer" or m > n then
        error("bad argument to 'flow.random' (expected integers m <= n)", 2)
      end
      return m + math.floor(r * (n - m + 1))
    end

    function flow.on_failure(fn)
      if type(fn) ~= "function" then error(argerror(1, "flow.on_failure", "function", fn), 2) end
      H.on_failure(fn)
    end

    function flow.log(...)
      local parts = table.pack(...)
      for i = 1, parts.n do parts[i] = tostring(parts[i]) end
      H.log(table.concat(parts, " ", 1, parts.n))
    end

    function flow.fail(message)
      local info = debug.getinfo(2, "Sl")
      local where = info and info.currentline > 0 and (info.short_src .. ":" .. info.currentline .. ": ") or ""
      raise({ name = "Failed", message = where .. tostring(message) }, 2)
    end

    local loaded = {}
    local function require(name)
      if type(name) ~= "string" then error(argerror(1, "require", "string", name), 2) end
      if loaded[name] then return loaded[name] end
      local fns, available, source = H.module(name)
      if not fns then
        error(("module '%s' not found (available: %s)"):format(name, available), 2)
      end
      local m = {}
      for f, kind in pairs(fns) do
        local make = kind == "gate" and gatefn or native
        m[f] = make(name:sub(6) .. "." .. f, name:sub(6) .. "." .. f)
      end
      if source then
        local chunk = assert(load(source, "=" .. name, "t", _G))
        m = chunk(m, flow) or m
      end
      loaded[name] = m
      return m
    end

    env.flow = flow
    env.require = require
    env.print = flow.log
    local realtime, realdate = os.time, os.date
    env.os.time = function(t)
      if t == nil then return math.floor(H.now()) end
      return realtime(t)
    end
    env.os.date = function(fmt, t)
      if t == nil then t = math.floor(H.now()) end
      return realdate(fmt, t)
    end
    env.math.random = math.random
    env.math.randomseed = function(...)
      if select("#", ...) == 0 then
        error("math.randomseed() needs a seed in workflows: a random seed would differ on replay", 2)
      end
      return math.randomseed(...)
    end
    return flow
    """#

    /// Why each withheld facility is withheld in a workflow, and what to use instead.
    public static let refusals: [String: String] = [
        "io": "io is not available in workflows: what a file holds can change before a replay; use flow.exec or a plugin step",
        "debug": "debug is not available in workflows",
        "package": "package is not available in workflows: use require \"flow.NAME\" for plugins",
        "dofile": "dofile is not available in workflows",
        "loadfile": "loadfile is not available in workflows",
        "string.dump": "string.dump is not available in workflows",
        "os.execute": "os.execute is not available in workflows: use flow.exec{ cmd = {...} } (journaled)",
        "os.exit": "os.exit is not available in workflows: use flow.fail(message) to end the workflow",
        "os.getenv": "os.getenv is not available in workflows: pass values with flow.params",
        "os.remove": "os.remove is not available in workflows: use flow.exec",
        "os.rename": "os.rename is not available in workflows: use flow.exec",
        "os.tmpname": "os.tmpname is not available in workflows",
        "os.setlocale": "os.setlocale is not available in workflows",
        "os.clock": "os.clock is not available in workflows: CPU time differs on replay; use flow.now() (journaled)",
    ]
}
