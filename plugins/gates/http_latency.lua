-- http_latency: GETs `url` `samples` times and compares a percentile of the latencies with
-- `max_ms`. A request that errors or answers another status than `expect_status` is a failure,
-- and any failure fails the gate: the endpoint is not healthy, however fast its errors are.
--
--   flow.gate("http_latency", {
--     url = "https://green.example.com/health",
--     samples = 10,          -- requests per measurement
--     percentile = 95,       -- nearest-rank percentile of the successful requests' latencies
--     max_ms = 500,          -- fail above this many milliseconds
--     expect_status = 200,   -- any other status is a failure
--     timeout = nil,         -- seconds per request (health.http_get's default otherwise)
--   })
--
-- value = { p95 = ms (named after `percentile`), samples = N, failures = N }

local defaults = { samples = 10, percentile = 95, max_ms = 500, expect_status = 200 }
local known = { url = true, timeout = true }
for k in pairs(defaults) do known[k] = true end
local expected = {}
for k in pairs(known) do expected[#expected + 1] = k end
table.sort(expected)
expected = table.concat(expected, ", ")

local function settings(args)
  for k in pairs(args) do
    if not known[k] then error(("unknown argument '%s' (expected: %s)"):format(tostring(k), expected), 2) end
  end
  if type(args.url) ~= "string" or args.url == "" then
    error("args.url must be a string, got " .. type(args.url), 2)
  end
  local s = {}
  for k, v in pairs(defaults) do
    s[k] = args[k] == nil and v or args[k]
    if type(s[k]) ~= "number" or s[k] < 0 then
      error(("args.%s must be a number >= 0, got %s"):format(k, tostring(args[k])), 2)
    end
  end
  if s.samples < 1 or math.type(s.samples) ~= "integer" then error("args.samples must be an integer >= 1", 2) end
  -- Checked here: a bad timeout would make every request fail and the gate say "fail".
  if args.timeout ~= nil and (type(args.timeout) ~= "number" or args.timeout <= 0) then
    error("args.timeout must be a number of seconds > 0, got " .. tostring(args.timeout), 2)
  end
  if s.percentile <= 0 or s.percentile > 100 then error("args.percentile must be in (0, 100]", 2) end
  return s
end

-- Nearest rank: the smallest latency with at least p% of the samples at or below it.
local function ms(x)
  if math.type(x) == "float" then return ("%.1f"):format(x) end
  return tostring(x)
end

local function percentile(sorted, p)
  -- p * n first: 28 / 100 * 25 is 7.000000000000001 in floating point, and its ceiling 8.
  local rank = math.max(1, math.ceil(p * #sorted / 100))
  return sorted[rank]
end

return function(ctx, args)
  local s = settings(args)
  local opts = args.timeout and { timeout = args.timeout } or nil
  local latencies, failures, last = {}, 0, nil
  for _ = 1, s.samples do
    local ok, r = pcall(ctx.http.get, args.url, opts)
    if not ok then
      failures = failures + 1
      last = type(r) == "table" and tostring(r.message) or tostring(r)
    elseif r.status ~= s.expect_status then
      failures = failures + 1
      last = ("status %s"):format(r.status)
    else
      latencies[#latencies + 1] = r.latency_ms
    end
  end

  local key = "p" .. (math.tointeger(s.percentile) or s.percentile)
  local value = { samples = s.samples, failures = failures }
  if failures > 0 then
    if #latencies > 0 then
      table.sort(latencies)
      value[key] = percentile(latencies, s.percentile)
    end
    return {
      status = "fail",
      reason = ("%d of %d requests to %s failed (expected status %s; last: %s)"):format(failures, s.samples, args.url, s.expect_status, last),
      value = value,
    }
  end

  table.sort(latencies)
  local p = percentile(latencies, s.percentile)
  value[key] = p
  if p > s.max_ms then
    return { status = "fail", reason = ("%s latency %s ms is above %s ms"):format(key, ms(p), ms(s.max_ms)), value = value }
  end
  return { status = "pass", reason = ("%s latency %s ms is within %s ms"):format(key, ms(p), ms(s.max_ms)), value = value }
end
