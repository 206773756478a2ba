-- template: a starting point for your own gate. Copy it to plugins/gates/NAME.lua (or to a
-- folder on FLOW_PLUGIN_PATH / --plugins) and call it from a workflow:
--
--   flow.gate("NAME", { url = "https://green.example.com/health" })
--
-- A gate takes ONE measurement and says what it saw. The engine calls it again and again (as
-- the workflow's gate options say) and decides what a run of failures or errors means, so do
-- not loop or wait inside a gate: measure once and return.
--
-- Rules of the sandbox (see plugins/gates/README.md):
--   * the file runs afresh for every measurement: nothing survives from one call to the next;
--   * the world is reached only through ctx: no io, os.execute, os.getenv, require, debug;
--   * a measurement has a time limit (30 s by default) and memory and instruction limits.

-- Code at the top level runs once per measurement, before the function is called: constants
-- and helpers belong here.
local DEFAULT_MAX_MS = 500

-- Return this function. `ctx` is how the gate reaches the world; `args` is the table the
-- workflow passed as `args` ({} when it passed none).
return function(ctx, args)
  -- Check arguments first: a raised error names this file and line, and the engine counts it
  -- as an error of the gate (not as a failed measurement).
  if type(args.url) ~= "string" then
    error("args.url must be a string, got " .. type(args.url))
  end
  local max_ms = args.max_ms or DEFAULT_MAX_MS

  -- ctx.http.get(url, { timeout = seconds }) -> { status = 200, body = "...", latency_ms = 12.5 }
  -- Other read-only functions: ctx.call("health.metric_data", {...}) or the same as
  -- ctx.health.metric_data{...}. A call that fails raises { name = ..., message = ... };
  -- catch it with pcall to turn it into a verdict of your own.
  local ok, r = pcall(ctx.http.get, args.url)
  if not ok then
    return { status = "fail", reason = "request failed: " .. tostring(r.message or r) }
  end

  ctx.log("status", r.status, "in", r.latency_ms, "ms")   -- to flow's log, not to stdout

  -- The verdict: status is "pass", "fail" or "inconclusive" (too little data to judge);
  -- reason is the sentence a person reads; value is anything flow can journal (numbers,
  -- strings, booleans, lists and string-keyed tables; no functions).
  if r.status ~= 200 then
    return { status = "fail", reason = ("got status %d, expected 200"):format(r.status), value = { status = r.status } }
  end
  if r.latency_ms > max_ms then
    return {
      status = "fail",
      reason = ("answered in %.0f ms, more than %s ms"):format(r.latency_ms, max_ms),
      value = { latency_ms = r.latency_ms },
    }
  end
  return {
    status = "pass",
    reason = ("answered in %.0f ms"):format(r.latency_ms),
    value = { latency_ms = r.latency_ms },
  }
end
