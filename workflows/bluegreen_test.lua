-- Tests for workflows/bluegreen.lua, run with `flow test workflows`.
--
-- Covers: green checked before any traffic moves; all traffic switched at once; the bake
-- (5 minutes by default, 24 hours in one case) watching green; the approval a person sends
-- with `flow signal ID approve` (on time, early, never); a rejection (`flow cancel`); green
-- turning unhealthy at minute 12 of the bake; an alarm going to ALARM. Every failure must
-- switch all traffic back to blue: failback.restore runs as compensation.
local t = require "flow.test"

-- Blue takes all the traffic; green's targets are healthy and its alarm is OK.
local function world()
  return {
    records = { { zone = "example.com", name = "app.example.com", weights = { blue = 100, green = 0 } } },
    target_groups = { ["app-green"] = { "healthy", "healthy" } },
    alarms = { ["app-green-5xx"] = "OK" },
  }
end

local function params(overrides)
  local p = { zone = "example.com", record = "app.example.com", target_group = "app-green" }
  for k, v in pairs(overrides or {}) do p[k] = v end
  return p
end

-- The fail-back happened: failback.restore ran as compensation and blue has all the traffic.
local function assert_failed_back(run)
  local restore = run:step("failback.restore")
  t.truthy(restore.compensation, "failback.restore runs as compensation")
  t.eq(restore.status, "completed", "failback.restore")
  t.eq(restore.args.weights, { blue = 100, green = 0 }, "failback.restore's weights")
  t.eq(run.weights, { blue = 100, green = 0 }, "the record's weights at the end")
end

t.case("switches all traffic at once, bakes 5 minutes and succeeds when approved at minute 7", function()
  local run = t.run("bluegreen.lua", {
    params = params(),
    cloud = world(),
    signals = { { at = t.minutes(7), name = "approve", data = { by = "alice" } } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run.result, { weights = { blue = 0, green = 100 } })
  t.eq(run.weights, { blue = 0, green = 100 })
  -- One check of green before the switch, then one switch, then the bake.
  local check, bake = run:step("health.all", 1), run:step("health.all", 2)
  t.eq(check.result.measurements, 1)
  t.eq(run:count("route53.set_weights"), 1)
  t.eq(run:step("route53.set_weights").args.weights, { blue = 0, green = 100 })
  t.eq(run:step("route53.set_weights").at, 0)
  t.eq(bake.at, 0)
  t.eq(bake.ended, t.minutes(5))
  t.eq(bake.result.measurements, 31, "every 10 s for 300 s")
  -- The approval arrives at minute 7 and its data is what the signal step returns.
  local approve = run:step("approve")
  t.eq(approve.kind, "signal")
  t.eq(approve.at, t.minutes(5))
  t.eq(approve.ended, t.minutes(7))
  t.eq(approve.result, { by = "alice" })
  t.eq(run:count("failback.restore"), 0)
end)

t.case("an approval sent during the bake is kept and taken when the bake ends", function()
  local run = t.run("bluegreen.lua", {
    params = params(),
    cloud = world(),
    signals = { { at = 60, name = "approve", data = { by = "bob" } } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run:step("approve").ended, t.minutes(5), "the bake is not cut short")
  t.eq(run:step("approve").result, { by = "bob" })
  t.eq(run.elapsed, t.minutes(5))
end)

t.case("fails back when nobody approves within approval_timeout", function()
  local run = t.run("bluegreen.lua", { params = params{ approval_timeout = t.hours(1) }, cloud = world() })

  t.eq(run.status, "failed")
  t.match(run.error.message, "no approval within 3600")
  local approve = run:step("approve")
  t.eq(approve.status, "failed")
  t.eq(approve.error.name, "Timeout")
  t.eq(approve.ended, t.minutes(5) + t.hours(1))
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, t.minutes(5) + t.hours(1))
end)

t.case("a rejection (flow cancel) while waiting for approval fails back", function()
  local run = t.run("bluegreen.lua", {
    params = params(),
    cloud = world(),
    operator = { { at = t.minutes(20), action = "cancel", reason = "rejected by QA", by = "carol" } },
  })

  t.eq(run.status, "cancelled")
  t.eq(run.error, { name = "Cancelled", message = "cancelled by carol: rejected by QA" })
  t.eq(run:step("approve").status, "running", "still waiting when the cancel came")
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, t.minutes(20))
end)

t.case("never switches when green is unhealthy before the switch", function()
  local w = world()
  w.target_groups["app-green"] = { "healthy", "unhealthy" }
  local run = t.run("bluegreen.lua", { params = params(), cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed")
  t.match(run.error.message, "1 of 2 targets healthy")
  t.eq(run:count("route53.set_weights"), 0, "no traffic moved")
  t.eq(run.elapsed, 0)
  -- Fail-back was armed, so it runs, and finds nothing to change.
  assert_failed_back(run)
  t.eq(run:step("failback.restore").result.changed, false)
end)

t.case("fails back when green turns unhealthy at minute 12 of a 24-hour bake", function()
  local w = world()
  w.changes = { { at = t.minutes(12), target_groups = { ["app-green"] = { "healthy", "unhealthy" } } } }
  local run = t.run("bluegreen.lua", { params = params{ bake = t.hours(24), poll = 60 }, cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed")
  local bake = run:step("health.all", 2)
  t.eq(bake.result.status, "fail")
  t.eq(bake.ended, t.minutes(12))
  t.eq(run:count("approve"), 0, "never asked for approval")
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, t.minutes(12))
  t.eq(run:step("failback.restore").result.previous, { blue = 0, green = 100 })
end)

t.case("a 24-hour bake followed by an approval finishes instantly", function()
  local run = t.run("bluegreen.lua", {
    params = params{ bake = t.hours(24), poll = t.minutes(5) },
    cloud = world(),
    signals = { { at = t.hours(25), name = "approve", data = { by = "alice" } } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run:step("health.all", 2).ended, t.hours(24))
  t.eq(run.elapsed, t.hours(25))
  t.eq(run.weights, { blue = 0, green = 100 })
end)

t.case("fails back when green's alarm goes to ALARM during the bake", function()
  local w = world()
  w.changes = { { at = 95, alarms = { ["app-green-5xx"] = "ALARM" } } }
  local run = t.run("bluegreen.lua", { params = params{ alarms = { "app-green-5xx" } }, cloud = w })

  t.eq(run.status, "failed")
  t.match(run.error.message, "alarms: 1 of 1 alarms in ALARM: app%-green%-5xx")
  t.eq(run:step("health.all", 2).ended, 100, "the first measurement after 95 s")
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, 100)
end)
