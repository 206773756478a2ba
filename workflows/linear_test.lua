-- Tests for workflows/linear.lua, run with `flow test workflows`.
--
-- Covers: green gaining `step` % every `interval` seconds until 100 % (the last step capped);
-- fail-back when green turns unhealthy mid-way; Route53 throttling on the first attempt of
-- every change, retried by the route53 plugin; operator abort and pause / unpause at virtual
-- times; a bad `step` refused before anything happens.
local t = require "flow.test"

local function world()
  return {
    records = { { zone = "example.com", name = "app.example.com", weights = { blue = 100, green = 0 } } },
    target_groups = { ["app-green"] = { "healthy", "healthy" } },
  }
end

local function params(overrides)
  local p = { zone = "example.com", record = "app.example.com", target_group = "app-green" }
  for k, v in pairs(overrides or {}) do p[k] = v end
  return p
end

-- Green's share after each route53.set_weights step, in order.
local function green_steps(run)
  local out = {}
  for _, step in ipairs(run:find("route53.set_weights")) do out[#out + 1] = step.args.weights.green end
  return out
end

-- The fail-back happened: failback.restore ran as compensation and blue has all the traffic.
local function assert_failed_back(run)
  local restore = run:step("failback.restore")
  t.truthy(restore.compensation, "failback.restore runs as compensation")
  t.eq(restore.status, "completed", "failback.restore")
  t.eq(restore.args.weights, { blue = 100, green = 0 }, "failback.restore's weights")
  t.eq(run.weights, { blue = 100, green = 0 }, "the record's weights at the end")
end

t.case("gains 10 % every 60 s until green has all the traffic", function()
  local run = t.run("linear.lua", { params = params(), cloud = world() })

  t.eq(run.status, "succeeded")
  t.eq(green_steps(run), { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 })
  t.eq(run:step("route53.set_weights", 4).args.weights, { blue = 60, green = 40 })
  t.eq(run:step("route53.set_weights", 4).at, 180)
  t.eq(run:count("health.all"), 10)
  t.eq(run.elapsed, 600)
  t.eq(run.weights, { blue = 0, green = 100 })
  t.eq(run:count("failback.restore"), 0)
end)

t.case("caps the last step at 100 % (step = 30: 30, 60, 90, 100)", function()
  local run = t.run("linear.lua", { params = params{ step = 30, interval = 120 }, cloud = world() })

  t.eq(run.status, "succeeded")
  t.eq(green_steps(run), { 30, 60, 90, 100 })
  t.eq(run:step("route53.set_weights", 4).at, 360)
  t.eq(run.elapsed, 480)
  t.eq(run.log, { "green at 30%", "green at 60%", "green at 90%", "green at 100%" })
end)

t.case("fails back when green turns unhealthy at 150 s (at 30 %)", function()
  local w = world()
  w.changes = { { at = 150, target_groups = { ["app-green"] = "unhealthy" } } }
  local run = t.run("linear.lua", { params = params(), cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed")
  t.eq(green_steps(run), { 10, 20, 30 })
  t.eq(run:step("health.all", 3).result.status, "fail")
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, 150)
  t.eq(run:step("failback.restore").result.previous, { blue = 70, green = 30 })
end)

t.case("retries a throttled first attempt of every change", function()
  local run = t.run("linear.lua", {
    params = params{ step = 50 },
    cloud = world(),
    -- by = "attempt": [1] is the first try of every call of the step.
    mocks = { ["route53.set_weights"] = { by = "attempt", [1] = { error = "Throttling", message = "Rate exceeded" } } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run:step("route53.set_weights", 1).attempts, 2)
  t.eq(run:step("route53.set_weights", 2).attempts, 2)
  t.lt(run:step("route53.set_weights", 1).ended, 1, "the first backoff is at most 1 s")
  t.eq(#run:calls("route53.set_weights"), 2, "only the retries reached Route53")
  t.eq(run.weights, { blue = 0, green = 100 })
end)

t.case("operator abort at 4 min 30 s fails back from 50 %", function()
  local run = t.run("linear.lua", {
    params = params(),
    cloud = world(),
    operator = { { at = t.minutes(4) + 30, action = "abort", reason = "latency up" } },
  })

  t.eq(run.status, "aborted")
  t.eq(run.error.name, "Aborted")
  t.match(run.error.message, "latency up")
  t.eq(green_steps(run), { 10, 20, 30, 40, 50 })
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, t.minutes(4) + 30)
  t.eq(run:step("failback.restore").result.previous, { blue = 50, green = 50 })
end)

t.case("pause at 30 s holds the next step until unpause at 30 minutes", function()
  local run = t.run("linear.lua", {
    params = params{ step = 50 },
    cloud = world(),
    operator = { { at = 30, action = "pause" }, { at = t.minutes(30), action = "unpause" } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run:step("route53.set_weights", 1).at, 0)
  t.eq(run:step("health.all", 1).ended, 60, "the watch under way goes on to its end")
  t.eq(run:step("route53.set_weights", 2).at, t.minutes(30))
  t.eq(run.elapsed, t.minutes(30) + 60)
end)

t.case("refuses step = 0 before touching anything", function()
  local run = t.run("linear.lua", { params = params{ step = 0 }, cloud = world() })

  t.eq(run.status, "failed")
  t.match(run.error.message, "step must be between 1 and 100, got 0")
  t.eq(#run.steps, 0)
  t.eq(run.weights, { blue = 100, green = 0 })
end)
