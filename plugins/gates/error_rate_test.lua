-- Tests for plugins/gates/error_rate.lua, run with `flow test plugins/gates`.
--
-- The gate alone (t.gate: one measurement against the simulated CloudWatch): pass, fail, the
-- max_rate boundary, too few requests and zero requests (inconclusive, no division by zero),
-- only the window's periods added up, a throttled metric read, and bad arguments (status
-- "error" with the message). Then the gate inside workflows/canary.lua through its `gates`
-- parameter: the 5xx rate rising at 50 % fails back; too little traffic pauses the rollout
-- for `flow signal ID promote`, and nobody promoting fails back after pause_timeout.
local t = require "flow.test"

local LB, TG = "app/green/0123456789", "targetgroup/app-green/abcdef"
local ARGS = { load_balancer = LB, target_group = TG }

-- One CloudWatch metric of green's ALB: `values` are the datapoints, one per minute, newest
-- last; `value` is the same datapoint in every period.
local function alb_metric(metric, data)
  local m = { namespace = "AWS/ApplicationELB", metric = metric,
              dimensions = { LoadBalancer = LB, TargetGroup = TG } }
  if type(data) == "table" then m.values = data else m.value = data end
  return m
end

-- A cloud where green's target group saw `errors` 5xx out of `requests` requests.
local function traffic(errors, requests)
  return { metrics = { alb_metric("HTTPCode_Target_5XX_Count", errors), alb_metric("RequestCount", requests) } }
end

-- Copies ARGS with some arguments added or replaced.
local function args(extra)
  local a = { load_balancer = LB, target_group = TG }
  for k, v in pairs(extra or {}) do a[k] = v end
  return a
end

----------------------------------------------------------------------------------------------
-- The gate alone

t.case("passes when the 5xx rate is within max_rate", function()
  local g = t.gate("error_rate", ARGS, { cloud = traffic({ 0, 1, 0, 0, 1 }, { 100, 100, 100, 100, 100 }) })

  t.eq(g.status, "pass")
  t.eq(g.value, { errors = 2, requests = 500, rate = 0.004 })
  t.eq(g.reason, "5xx rate 0.40% is within 1.00%: 2 5xx in 500 requests over the last 300 s")
end)

t.case("fails when the 5xx rate is above max_rate", function()
  local g = t.gate("error_rate", ARGS, { cloud = traffic({ 5, 5, 5, 5, 5 }, { 100, 100, 100, 100, 100 }) })

  t.eq(g.status, "fail")
  t.eq(g.value, { errors = 25, requests = 500, rate = 0.05 })
  t.eq(g.reason, "5xx rate 5.00% is above 1.00%: 25 5xx in 500 requests over the last 300 s")
end)

t.case("a rate exactly at max_rate passes; just above it fails", function()
  t.eq(t.gate("error_rate", args{ max_rate = 0.02 }, { cloud = traffic({ 2 }, { 100 }) }).status, "pass")
  t.eq(t.gate("error_rate", args{ max_rate = 0.02 }, { cloud = traffic({ 3 }, { 100 }) }).status, "fail")
end)

t.case("max_rate = 0 fails on a single 5xx", function()
  t.eq(t.gate("error_rate", args{ max_rate = 0 }, { cloud = traffic({ 0 }, { 1000 }) }).status, "pass")
  t.eq(t.gate("error_rate", args{ max_rate = 0 }, { cloud = traffic({ 1 }, { 1000 }) }).status, "fail")
end)

t.case("is inconclusive with fewer requests than min_requests", function()
  local g = t.gate("error_rate", ARGS, { cloud = traffic({ 0, 9 }, { 10, 9 }) })

  t.eq(g.status, "inconclusive", "19 requests, 20 needed, however many 5xx")
  t.eq(g.value.requests, 19)
  t.eq(g.reason, "only 19 requests over the last 300 s (need 20 to judge the error rate)")
  t.eq(t.gate("error_rate", args{ min_requests = 19 }, { cloud = traffic({ 0, 0 }, { 10, 9 }) }).status, "pass")
end)

t.case("zero requests is inconclusive, with a rate of 0 (no division by zero)", function()
  local g = t.gate("error_rate", ARGS, { cloud = traffic(0, 0) })

  t.eq(g.status, "inconclusive")
  t.eq(g.value, { errors = 0, requests = 0, rate = 0 })
end)

t.case("no datapoints at all counts as zero requests", function()
  local g = t.gate("error_rate", ARGS, { cloud = traffic({}, {}) })

  t.eq(g.status, "inconclusive")
  t.eq(g.value.requests, 0)
  -- With min_requests = 0 there is nothing to judge and nothing wrong.
  t.eq(t.gate("error_rate", args{ min_requests = 0 }, { cloud = {} }).status, "pass")
end)

t.case("adds up only the periods in the window", function()
  -- Five minutes of data, the old ones bad; a 2-minute window sees only the last two.
  local cloud = traffic({ 30, 30, 30, 0, 1 }, { 100, 100, 100, 100, 100 })
  local g = t.gate("error_rate", args{ window = 120 }, { cloud = cloud })

  t.eq(g.status, "pass")
  t.eq(g.value, { errors = 1, requests = 200, rate = 0.005 })
  t.match(g.reason, "over the last 120 s$")
  t.eq(t.gate("error_rate", ARGS, { cloud = cloud }).status, "fail", "the default 5-minute window sees them all")
end)

t.case("reads the two metrics through health.metric_data, 5xx first", function()
  -- Read-only calls a Lua gate makes are mockable like steps: call 1 is the 5xx count, call 2
  -- the request count.
  local g = t.gate("error_rate", ARGS, { mocks = { ["health.metric_data"] = {
    { returns = { values = { 3, 4 }, timestamps = { 1, 2 } } },
    { returns = { values = { 100, 100 }, timestamps = { 1, 2 } } },
  } } })

  t.eq(g.status, "fail")
  t.eq(g.value, { errors = 7, requests = 200, rate = 0.035 })
end)

t.case("a throttled metric read is an error, not a verdict", function()
  local g = t.gate("error_rate", ARGS, { mocks = {
    ["health.metric_data"] = { error = "Throttling", message = "Rate exceeded" },
  } })

  t.eq(g.status, "error")
  t.eq(g.error.name, "GateError")
  t.match(g.error.message, "error_rate.lua:%d+: Throttling: Rate exceeded")
end)

t.case("bad arguments are errors naming the argument", function()
  local missing = t.gate("error_rate", { load_balancer = LB })
  t.eq(missing.status, "error")
  t.eq(missing.error.name, "GateError")
  t.match(missing.error.message, "args.target_group must be a non%-empty string, got nil")

  t.match(t.gate("error_rate", args{ max_rate = "1%" }).error.message, "args.max_rate must be a number >= 0, got 1%%")
  t.match(t.gate("error_rate", args{ min_requests = -1 }).error.message, "args.min_requests must be a number >= 0, got %-1")
  t.match(t.gate("error_rate", args{ threshold = 0.01 }).error.message,
          "unknown argument 'threshold' %(expected: load_balancer, max_rate, min_requests, period, region, target_group, window%)")
  t.match(t.gate("error_rate", args{ load_balancer = 42 }).error.message, "args.load_balancer must be a non%-empty string, got number")
  t.match(t.gate("error_rate", args{ load_balancer = "" }).error.message, "args.load_balancer must be a non%-empty string, got an empty string")
end)

t.case("a period CloudWatch refuses is an error from health.metric_data", function()
  local g = t.gate("error_rate", args{ period = 45 }, { cloud = traffic(0, 100) })

  t.eq(g.status, "error")
  t.match(g.error.message, "bad argument 'period' %(must be 1, 5, 10, 30 or a multiple of 60 seconds, got 45%)")
end)

----------------------------------------------------------------------------------------------
-- The gate in a rollout: workflows/canary.lua with gates = {{ name = "error_rate", args = ... }}

local function canary_world(errors_per_minute, requests_per_minute)
  local w = traffic(errors_per_minute, requests_per_minute)
  w.records = { { zone = "example.com", name = "app.example.com", weights = { blue = 100, green = 0 } } }
  w.target_groups = { ["app-green"] = { "healthy", "healthy" } }
  w.services = { { cluster = "prod", name = "app-green", running = 2, task_definition = "app:2" } }
  return w
end

local function canary_params(gate_args)
  return { zone = "example.com", record = "app.example.com", cluster = "prod", service = "app-green",
           target_group = "app-green", gates = { { name = "error_rate", args = gate_args } } }
end

t.case("canary: passes the gate after every step when the 5xx rate stays low", function()
  local run = t.run("../../workflows/canary.lua", { params = canary_params(ARGS), cloud = canary_world(1, 200) })

  t.eq(run.status, "succeeded")
  t.eq(run:count("gate error_rate"), 3)
  t.eq(run:step("gate error_rate", 1).args, { gate = "error_rate", args = ARGS })
  t.eq(run:step("gate error_rate", 1).result.value, { errors = 5, requests = 1000, rate = 0.005 })
  t.eq(run.weights, { blue = 0, green = 100 })
end)

t.case("canary: fails back when the 5xx rate rises while green is at 50 %", function()
  local w = canary_world(0, 200)
  w.changes = { { at = 61, metrics = { alb_metric("HTTPCode_Target_5XX_Count", 20) } } }
  local run = t.run("../../workflows/canary.lua", { params = canary_params(ARGS), cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed")
  t.eq(run.error.message, "gate error_rate: 5xx rate 10.00% is above 1.00%: 100 5xx in 1000 requests over the last 300 s")
  t.eq(run:step("gate error_rate", 1).result.status, "pass")
  local at50 = run:step("gate error_rate", 2)
  t.eq(at50.result.status, "fail")
  t.eq(at50.at, 120, "after the 60 s watch at 50 %")
  t.eq(run:step("route53.set_weights", 2).args.weights, { blue = 50, green = 50 })
  t.eq(run:count("route53.set_weights"), 2, "never went to 100 %")
  -- Fail-back: failback.restore in the compensation, blue has everything again.
  local restore = run:step("failback.restore")
  t.truthy(restore.compensation)
  t.eq(restore.at, 120)
  t.eq(restore.args.weights, { blue = 100, green = 0 })
  t.eq(run.weights, { blue = 100, green = 0 })
end)

t.case("canary: too little traffic to judge waits for `promote`, then goes on", function()
  local run = t.run("../../workflows/canary.lua", {
    params = canary_params(args{ min_requests = 500 }),
    cloud = canary_world(0, 10),  -- 50 requests per 5 minutes: inconclusive at every step
    signals = {
      { at = t.minutes(10), name = "promote", data = { by = "alice" } },
      { at = t.minutes(20), name = "promote", data = { by = "alice" } },
      { at = t.minutes(30), name = "promote", data = { by = "alice" } },
    },
  })

  t.eq(run.status, "succeeded")
  t.eq(run:step("gate error_rate", 1).result.status, "inconclusive")
  t.eq(run:step("gate error_rate", 1).result.value.requests, 50)
  -- Each inconclusive verdict pauses on the signal `promote`; each promotion lets it go on.
  t.eq(run:count("promote"), 3)
  t.eq(run:step("promote", 1).at, 60)
  t.eq(run:step("promote", 1).ended, t.minutes(10))
  t.eq(run:step("promote", 1).result, { by = "alice" })
  t.eq(run:step("route53.set_weights", 2).at, t.minutes(10))
  t.eq(run.elapsed, t.minutes(30))
  t.match(run.log[3], "gate error_rate is inconclusive: only 50 requests")
  t.eq(run.weights, { blue = 0, green = 100 })
end)

t.case("canary: fails back when nobody promotes an inconclusive gate within pause_timeout", function()
  local run = t.run("../../workflows/canary.lua", {
    params = canary_params(args{ pause_timeout = 600 }),
    cloud = canary_world(0, 1),
  })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed")
  t.match(run.error.message, "inconclusive and not promoted within 600 s: only 5 requests")
  t.eq(run:step("promote").error.name, "Timeout")
  t.eq(run:step("failback.restore").at, 60 + 600)
  t.truthy(run:step("failback.restore").compensation)
  t.eq(run.weights, { blue = 100, green = 0 })
end)
