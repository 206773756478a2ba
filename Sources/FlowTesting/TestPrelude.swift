/// The `flow.test` module a test file gets from `require "flow.test"`: cases, assertions,
/// `t.run` and `t.gate` (which yield to Swift), and the helpers on a run's report. Written in
/// Lua so assertion errors point at the test's own line (level 2), and so mock tables with
/// mixed keys (`[1]`, `["2-3"]`, `default`) are normalized before they cross into Swift.
enum TestPrelude {
    static let chunkName = "=flow.test"

    static let source = #"""
    local H, env = ...
    local T = {}
    local cases = {}

    -- Values as a person reads them: strings quoted, tables with sorted keys.
    local function show(v, depth)
      depth = depth or 0
      if type(v) == "string" then return string.format("%q", v) end
      if type(v) ~= "table" then return tostring(v) end
      if depth > 3 then return "{...}" end
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys, function(a, b)
        if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
        return type(a) < type(b)
      end)
      local n, parts = #v, {}
      for _, k in ipairs(keys) do
        local item = show(v[k], depth + 1)
        if math.type(k) == "integer" and k >= 1 and k <= n then parts[#parts + 1] = item
        elseif type(k) == "string" and k:match("^[%a_][%w_]*$") then parts[#parts + 1] = k .. " = " .. item
        else parts[#parts + 1] = "[" .. show(k) .. "] = " .. item end
      end
      return "{" .. table.concat(parts, ", ") .. "}"
    end
    T.show = show

    local function key_path(path, k)
      if type(k) == "string" and k:match("^[%a_][%w_]*$") then return path .. "." .. k end
      return path .. "[" .. show(k) .. "]"
    end

    -- The first place two values differ: path, got, want (nil when equal). Numbers compare by
    -- value (1 == 1.0), tables by content.
    local function diff(got, want, path)
      if got == want then return nil end
      if type(got) ~= "table" or type(want) ~= "table" then return path, got, want end
      for k, w in pairs(want) do
        local p, g2, w2 = diff(got[k], w, key_path(path, k))
        if p then return p, g2, w2 end
      end
      for k, g in pairs(got) do
        if want[k] == nil then return key_path(path, k), g, nil end
      end
      return nil
    end
    T.diff = diff

    local function prefix(msg) return msg and (tostring(msg) .. ": ") or "" end

    function T.eq(got, want, msg)
      local p, g, w = diff(got, want, "")
      if p then
        local where = p ~= "" and (" at " .. p:gsub("^%.", "")) or ""
        error(prefix(msg) .. "expected " .. show(w) .. ", got " .. show(g) .. where, 2)
      end
    end
    function T.ne(got, other, msg)
      if not diff(got, other, "") then error(prefix(msg) .. "expected something other than " .. show(other), 2) end
    end
    function T.truthy(v, msg) if not v then error(prefix(msg) .. "expected a true value, got " .. show(v), 2) end return v end
    function T.falsy(v, msg) if v then error(prefix(msg) .. "expected false or nil, got " .. show(v), 2) end end
    function T.match(s, pattern, msg)
      if type(s) ~= "string" or not s:find(pattern) then
        error(prefix(msg) .. "expected a string matching " .. show(pattern) .. ", got " .. show(s), 2)
      end
      return s
    end
    local function compare(name, op, a, b, msg)
      if type(a) ~= "number" or type(b) ~= "number" or not op(a, b) then
        error(prefix(msg) .. "expected " .. show(a) .. " " .. name .. " " .. show(b), 3)
      end
    end
    function T.lt(a, b, msg) compare("<", function(x, y) return x < y end, a, b, msg) end
    function T.le(a, b, msg) compare("<=", function(x, y) return x <= y end, a, b, msg) end
    function T.gt(a, b, msg) compare(">", function(x, y) return x > y end, a, b, msg) end
    function T.ge(a, b, msg) compare(">=", function(x, y) return x >= y end, a, b, msg) end
    function T.raises(fn, pattern, msg)
      local ok, e = pcall(fn)
      if ok then error(prefix(msg) .. "expected an error" .. (pattern and (" matching " .. show(pattern)) or ""), 2) end
      local text = type(e) == "table" and tostring(e.message or e.name or show(e)) or tostring(e)
      if pattern and not text:find(pattern) then
        error(prefix(msg) .. "expected an error matching " .. show(pattern) .. ", got " .. show(text), 2)
      end
      return e
    end
    function T.fail(msg) error(tostring(msg or "failed"), 2) end

    function T.minutes(n) return n * 60 end
    function T.hours(n) return n * 3600 end
    function T.days(n) return n * 86400 end

    function T.case(name, fn)
      if type(name) ~= "string" then error("t.case: the first argument is the case's name (a string)", 2) end
      if type(fn) ~= "function" then error("t.case: the second argument is the case's function", 2) end
      cases[#cases + 1] = { name = name, fn = fn }
    end
    T.test = T.case

    -- Mocks: { [1] = r, ["2-3"] = r, ["4+"] = r, default = r, by = "call"|"attempt" }, a list
    -- { r1, r2 }, or one response for every call.
    local response_keys = { returns = true, error = true, message = true, retryable = true, status = true,
                            reason = true, value = true, delay = true, hang = true }
    local function is_response(v)
      if type(v) ~= "table" or next(v) == nil then return false end
      for k in pairs(v) do if not response_keys[k] then return false end end
      return true
    end
    local function normalize(name, spec, level)
      if type(spec) ~= "table" then
        error(("mocks[%q]: expected a table of responses, got %s"):format(name, type(spec)), level)
      end
      if is_response(spec) then return { default = spec } end
      local plan = { ranges = {} }
      for k, v in pairs(spec) do
        local from, to
        if k == "by" or k == "default" then plan[k] = v
        elseif math.type(k) == "integer" and k >= 1 then from, to = k, k
        elseif type(k) == "string" and k:match("^%d+%-%d+$") then
          from, to = k:match("^(%d+)%-(%d+)$"); from, to = math.tointeger(from), math.tointeger(to)
        elseif type(k) == "string" and k:match("^%d+%+$") then from = math.tointeger(k:match("^(%d+)"))
        else
          error(("mocks[%q]: key %s: expected a call number (1), a range (\"2-3\", \"4+\"), 'by' or 'default'"):format(name, show(k)), level)
        end
        if from then
          if not is_response(v) then
            error(("mocks[%q][%s]: expected a response ({returns = ...}, {error = ...}, {status = ...}, {delay = ...}, {hang = true}), got %s"):format(name, show(k), show(v)), level)
          end
          plan.ranges[#plan.ranges + 1] = { from = from, to = to, response = v }
        end
      end
      table.sort(plan.ranges, function(a, b) return a.from < b.from end)
      if #plan.ranges == 0 then plan.ranges = nil end
      return plan
    end

    local Run = {}
    Run.__index = Run
    -- The steps named `name` (all steps without one), in order.
    function Run:find(name)
      local out = {}
      for _, s in ipairs(self.steps) do if name == nil or s.name == name then out[#out + 1] = s end end
      return out
    end
    function Run:step(name, n)
      local found = self:find(name)[n or 1]
      if not found then error(("no step %s #%d in this run (it made %d)"):format(show(name), n or 1, #self:find(name)), 2) end
      return found
    end
    function Run:count(name) return #self:find(name) end
    -- The simulated cloud's API calls named `name`.
    function Run:calls(name)
      local out = {}
      for _, c in ipairs((self.cloud or {}).calls or {}) do if name == nil or c.name == name then out[#out + 1] = c end end
      return out
    end

    local function options(opts, what)
      if opts == nil then return {} end
      if type(opts) ~= "table" then error(what .. ": the options are a table, got " .. type(opts), 3) end
      local o = {}
      for k, v in pairs(opts) do o[k] = v end
      if o.mocks ~= nil then
        if type(o.mocks) ~= "table" then error(what .. ": mocks is a table keyed by step name", 3) end
        local m = {}
        for name, spec in pairs(o.mocks) do m[name] = normalize(name, spec, 4) end
        o.mocks = m
      end
      return o
    end

    function T.run(workflow, opts)
      if type(workflow) ~= "string" then error("t.run: the first argument is the workflow's path (a string)", 2) end
      local ok, r = H.run(workflow, options(opts, "t.run"))
      if not ok then error(r, 2) end
      return setmetatable(r, Run)
    end

    function T.gate(name, args, opts)
      if type(name) ~= "string" then error("t.gate: the first argument is the gate's name (a string)", 2) end
      if args ~= nil and type(args) ~= "table" then error("t.gate: the second argument is the gate's args (a table)", 2) end
      local ok, r = H.gate(name, args or {}, options(opts, "t.gate"))
      if not ok then error(r, 2) end
      return r
    end

    -- A scenario for the simulated cloud, checked now so a mistake points at this line.
    function T.cloud(scenario)
      local ok, e = H.check_cloud(scenario)
      if not ok then error(e, 2) end
      return scenario
    end

    env.require = function(name)
      if name == "flow.test" then return T end
      error(("module '%s' is not available in a test file (only \"flow.test\")"):format(tostring(name)), 2)
    end

    return function() return #cases end, function(i) return cases[i].name end, function(i) return cases[i].fn end
    """#
}
