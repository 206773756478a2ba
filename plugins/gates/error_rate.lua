-- error_rate: the share of the green target group's requests that ended in a 5xx, from the
-- ALB's CloudWatch metrics (AWS/ApplicationELB, Sum of HTTPCode_Target_5XX_Count over Sum of
-- RequestCount in the last `window` seconds).
--
--   flow.gate("error_rate", {
--     load_balancer = "app/green/123",          -- the LoadBalancer dimension
--     target_group = "targetgroup/green/abc",   -- the TargetGroup dimension
--     max_rate = 0.01,      -- fail above this ratio of 5xx to requests
--     window = 300,         -- seconds of metrics to add up
--     period = 60,          -- seconds per datapoint
--     min_requests = 20,    -- fewer requests than this: inconclusive, too little traffic to judge
--     region = nil,         -- defaults to the workflow's region
--   })
--
-- value = { errors = N, requests = N, rate = ratio }

local defaults = { max_rate = 0.01, window = 300, period = 60, min_requests = 20 }
local known = { load_balancer = true, target_group = true, region = true }
for k in pairs(defaults) do known[k] = true end
local expected = {}
for k in pairs(known) do expected[#expected + 1] = k end
table.sort(expected)
expected = table.concat(expected, ", ")

local function settings(args)
  for k in pairs(args) do
    if not known[k] then error(("unknown argument '%s' (expected: %s)"):format(tostring(k), expected), 2) end
  end
  for _, k in ipairs{ "load_balancer", "target_group" } do
    if type(args[k]) ~= "string" or args[k] == "" then
      local got = args[k] == "" and "an empty string" or type(args[k])
      error(("args.%s must be a non-empty string, got %s"):format(k, got), 2)
    end
  end
  local s = {}
  for k, v in pairs(defaults) do
    s[k] = args[k] == nil and v or args[k]
    if type(s[k]) ~= "number" or s[k] < 0 then
      error(("args.%s must be a number >= 0, got %s"):format(k, tostring(args[k])), 2)
    end
  end
  return s
end

-- Metric sums are floats; whole counts read better as integers in the journal.
local function whole(x) return math.tointeger(x) or x end

return function(ctx, args)
  local s = settings(args)
  local function sum(metric)
    local data = ctx.health.metric_data{
      namespace = "AWS/ApplicationELB",
      metric = metric,
      dimensions = { LoadBalancer = args.load_balancer, TargetGroup = args.target_group },
      stat = "Sum",
      period = s.period,
      window = s.window,
      region = args.region,
    }
    local total = 0
    for _, v in ipairs(data.values or {}) do total = total + v end
    return whole(total)
  end

  local errors = sum("HTTPCode_Target_5XX_Count")
  local requests = sum("RequestCount")
  local rate = requests > 0 and errors / requests or 0.0
  local value = { errors = errors, requests = requests, rate = rate }
  local seen = ("%s 5xx in %s requests over the last %s s"):format(errors, requests, s.window)

  if requests < s.min_requests then
    return {
      status = "inconclusive",
      reason = ("only %s requests over the last %s s (need %s to judge the error rate)"):format(requests, s.window, s.min_requests),
      value = value,
    }
  end
  if rate > s.max_rate then
    return {
      status = "fail",
      reason = ("5xx rate %.2f%% is above %.2f%%: %s"):format(rate * 100, s.max_rate * 100, seen),
      value = value,
    }
  end
  return {
    status = "pass",
    reason = ("5xx rate %.2f%% is within %.2f%%: %s"):format(rate * 100, s.max_rate * 100, seen),
    value = value,
  }
end
