-- Tests for workflows/canary.lua, run with `flow test workflows`.
--
-- Covers: the happy path (10 -> 50 -> 100 %, watched 60 s after each step); fail-back to
-- blue when green turns unhealthy (minute 12 of a 24-hour bake), when an alarm goes to ALARM,
-- when the health URL starts answering 503 and when a Lua gate fails at 50 %; Route53
-- throttling retried by the route53 plugin's own retry policy (and given up after 5 attempts);
-- a fail-back that is itself throttled; green's task starting late or never; Route53 changes
-- PENDING before INSYNC; operator commands at virtual times (abort, promote --full [--force],
-- pause / unpause); a 24-hour bake per step finishing in well under a second; a bad schedule.
--
-- Everything runs against flow test's simulated cloud: nothing reaches AWS, and a rollout
-- that takes days of virtual time takes milliseconds.
local t = require "flow.test"

-- The world the canary starts in: blue takes all the traffic, green's two targets are
-- healthy, green's ECS service runs two tasks, its 5xx alarm is OK and its health URL answers.
local function world()
  return {
    records = { { zone = "example.com", name = "app.example.com", weights = { blue = 100, green = 0 } } },
    target_groups = { ["app-green"] = { "healthy", "healthy" } },
    services = { { cluster = "prod", name = "app-green", running = 2, task_definition = "app:2" } },
    alarms = { ["app-green-5xx"] = "OK" },
    http = { ["http://green.internal/health"] = { status = 200, latency_ms = 12 } },
  }
end

-- The canary's parameters (as `--param k=v` would give them), with some replaced.
local function params(overrides)
  local p = { zone = "example.com", record = "app.example.com", cluster = "prod",
              service = "app-green", target_group = "app-green" }
  for k, v in pairs(overrides or {}) do p[k] = v end
  return p
end

-- The weights each route53.set_weights step asked for, in order.
local function weights_sent(run)
  local sent = {}
  for _, step in ipairs(run:find("route53.set_weights")) do sent[#sent + 1] = step.args.weights end
  return sent
end

-- The fail-back happened: failback.restore ran as compensation, put blue's original weights
-- back, and the simulated Route53 record holds them at the end.
local function assert_failed_back(run)
  local restore = run:step("failback.restore")
  t.truthy(restore.compensation, "failback.restore runs as compensation")
  t.eq(restore.status, "completed", "failback.restore")
  t.eq(restore.args.weights, { blue = 100, green = 0 }, "failback.restore's weights")
  t.eq(run.weights, { blue = 100, green = 0 }, "the record's weights at the end")
end

local TEN, FIFTY, ALL = { blue = 90, green = 10 }, { blue = 50, green = 50 }, { blue = 0, green = 100 }

t.case("shifts 10 -> 50 -> 100 % and watches green for 60 s after each step", function()
  local run = t.run("canary.lua", { params = params(), cloud = world() })

  t.eq(run.status, "succeeded")
  t.eq(run.result.weights, ALL)
  t.eq(run.result.original, { blue = 100, green = 0 })
  t.eq(run.weights, ALL)
  t.eq(weights_sent(run), { TEN, FIFTY, ALL })
  -- One step every 60 s: each change is applied, then watched for `wait` seconds.
  t.eq(run:step("route53.set_weights", 1).at, 0)
  t.eq(run:step("route53.set_weights", 2).at, 60)
  t.eq(run:step("route53.set_weights", 3).at, 120)
  t.eq(run.elapsed, 180)
  -- Every 10 s for 60 s: 7 measurements per watch, all passing.
  t.eq(run:step("health.all", 1).result.measurements, 7)
  t.eq(run:step("health.all", 1).args.targets, { target_group = "app-green", min_healthy = "100%" })
  t.eq(run:count("failback.restore"), 0, "no fail-back on success")
  t.falsy(run.compensated)
end)

t.case("fails back to blue when green turns unhealthy at minute 12 of a 24-hour bake", function()
  local w = world()
  w.changes = { { at = t.minutes(12), target_groups = { ["app-green"] = "unhealthy" } } }
  local run = t.run("canary.lua", { params = params{ wait = t.hours(24), poll = 60 }, cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed")
  t.match(run.error.message, "0 of 2 targets healthy")
  -- Still at 10 %: the first watch saw it, and nothing moved further.
  t.eq(weights_sent(run), { TEN })
  local watch = run:step("health.all")
  t.eq(watch.result.status, "fail")
  t.eq(watch.result.measurements, 13, "minutes 0, 1, ..., 12")
  t.eq(watch.ended, t.minutes(12))
  -- The fail-back starts the moment the failing measurement is taken.
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, t.minutes(12))
  t.eq(run.elapsed, t.minutes(12))
end)

t.case("a 24-hour bake at every step finishes instantly", function()
  local run = t.run("canary.lua", { params = params{ wait = t.hours(24), poll = t.minutes(5) }, cloud = world() })

  t.eq(run.status, "succeeded")
  t.eq(run.elapsed, t.days(3), "three steps of 24 hours each, in virtual time")
  t.eq(run:step("route53.set_weights", 3).at, t.days(2))
  t.eq(run:step("health.all", 3).result.measurements, 289, "every 5 minutes for 24 hours, both ends included")
  t.eq(run.weights, ALL)
end)

t.case("fails back when green's 5xx alarm goes to ALARM at 100 s (at 50 %)", function()
  local w = world()
  w.changes = { { at = 100, alarms = { ["app-green-5xx"] = { state = "ALARM", reason = "5xx above 1 % for 1 minute" } } } }
  local run = t.run("canary.lua", { params = params{ alarms = { "app-green-5xx" } }, cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed")
  t.match(run.error.message, "alarms: 1 of 1 alarms in ALARM: app%-green%-5xx %(5xx above 1 %% for 1 minute%)")
  t.eq(weights_sent(run), { TEN, FIFTY })
  t.eq(run:step("health.all", 2).args.alarms, { names = { "app-green-5xx" } })
  t.eq(run:step("health.all", 2).ended, 100)
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, 100)
end)

t.case("fails back when green's health URL starts answering 503 at 150 s (at 100 %)", function()
  local w = world()
  w.changes = { { at = 150, http = { ["http://green.internal/health"] = { status = 503 } } } }
  local run = t.run("canary.lua", { params = params{ health_url = "http://green.internal/health" }, cloud = w })

  t.eq(run.status, "failed")
  t.match(run.error.message, "http: 0 of 5 GET http://green.internal/health returned 200")
  t.eq(weights_sent(run), { TEN, FIFTY, ALL })
  t.eq(run:step("health.all", 3).args.http, { url = "http://green.internal/health", samples = 5 })
  assert_failed_back(run)
  -- Seen by the first measurement after 150 s (every 10 s; each takes five GETs 0.2 s apart).
  t.ge(run:step("failback.restore").at, 150)
  t.lt(run:step("failback.restore").at, 150 + 10 + 1)
end)

t.case("fails back when a Lua gate fails at 50 %", function()
  -- A gate can be scripted per measurement: "gate NAME" is the step's name in the journal.
  local gates = { { name = "error_rate", args = { load_balancer = "app/green/1", target_group = "targetgroup/app-green/1" } } }
  local run = t.run("canary.lua", {
    params = params{ gates = gates },
    cloud = world(),
    mocks = { ["gate error_rate"] = {
      [1] = { status = "pass", reason = "5xx rate 0.10 %" },
      [2] = { status = "fail", reason = "5xx rate 3.00 % is above 1.00 %" },
    } },
  })

  t.eq(run.status, "failed")
  t.eq(run.error, { name = "GateFailed", message = "gate error_rate: 5xx rate 3.00 % is above 1.00 %" })
  t.eq(weights_sent(run), { TEN, FIFTY })
  t.eq(run:count("gate error_rate"), 2)
  t.eq(run:step("gate error_rate", 2).args.args, gates[1].args)
  t.eq(run:step("gate error_rate", 2).at, 120, "after the 60 s watch at 50 %")
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, 120)
end)

t.case("retries Route53 throttling with the route53 plugin's retry policy", function()
  -- Calls 1 and 2 of set_weights are throttled; from call 3 on the simulated cloud answers.
  local run = t.run("canary.lua", {
    params = params(),
    cloud = world(),
    mocks = { ["route53.set_weights"] = { ["1-2"] = { error = "Throttling", message = "Rate exceeded" } } },
  })

  t.eq(run.status, "succeeded")
  local first = run:step("route53.set_weights", 1)
  t.eq(first.attempts, 3, "two throttled attempts, then success")
  t.eq(first.status, "completed")
  t.eq(first.result.weights, TEN)
  -- The plugin's policy: 1 s then x2, full jitter, so two retries wait less than 1 + 2 s.
  t.gt(first.ended, 0)
  t.lt(first.ended, 3)
  t.eq(run:step("route53.set_weights", 2).attempts, 1)
  -- Only the third attempt reached Route53 (mocked calls never do).
  t.eq(#run:calls("route53.set_weights"), 3, "one API call per weight change")
  t.eq(run:calls("route53.set_weights")[1].args.weights, TEN)
  t.eq(run.weights, ALL)
end)

t.case("gives up after 5 throttled attempts and fails back", function()
  local run = t.run("canary.lua", {
    params = params(),
    cloud = world(),
    mocks = { ["route53.set_weights"] = { error = "Throttling", message = "Rate exceeded" } },
  })

  t.eq(run.status, "failed")
  t.eq(run.error, { name = "Throttling", message = "Rate exceeded" })
  local first = run:step("route53.set_weights")
  t.eq(first.attempts, 5, "route53's max_attempts")
  t.eq(first.status, "failed")
  t.lt(first.ended, 1 + 2 + 4 + 8, "four backoffs of at most 1, 2, 4 and 8 s")
  t.eq(run:count("health.all"), 0)
  assert_failed_back(run)
end)

t.case("does not retry an error marked not retryable", function()
  local run = t.run("canary.lua", {
    params = params(),
    cloud = world(),
    mocks = { ["route53.set_weights"] = { error = "AccessDenied", message = "not allowed", retryable = false } },
  })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "AccessDenied")
  t.eq(run:step("route53.set_weights").attempts, 1)
  t.eq(run:step("route53.set_weights").ended, 0)
  assert_failed_back(run)
end)

t.case("keeps retrying the fail-back when Route53 throttles it", function()
  local w = world()
  w.changes = { { at = 90, target_groups = { ["app-green"] = "unhealthy" } } }
  local run = t.run("canary.lua", {
    params = params(),
    cloud = w,
    mocks = { ["failback.restore"] = { ["1-3"] = { error = "Throttling", message = "Rate exceeded" } } },
  })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "GateFailed", "the run reports why it failed, not the throttling")
  local restore = run:step("failback.restore")
  t.eq(restore.attempts, 4, "failback's patient policy: three throttled attempts, then success")
  t.eq(restore.at, 90)
  t.lt(restore.ended, 90 + 2 + 4 + 8, "backoffs of at most 2, 4 and 8 s")
  assert_failed_back(run)
end)

t.case("waits for green's task to be RUNNING before moving any traffic", function()
  local w = world()
  w.services[1].running, w.services[1].pending, w.services[1].desired = 0, 2, 2
  w.changes = { { at = 120, services = { { cluster = "prod", name = "app-green", running = 2, pending = 0 } } } }
  local run = t.run("canary.lua", { params = params(), cloud = w })

  t.eq(run.status, "succeeded")
  t.eq(run:step("ecs.await_task").ended, 120)
  t.eq(run:step("route53.set_weights").at, 120)
  t.eq(run.elapsed, 120 + 180)
end)

t.case("moves no traffic when green's task never runs within task_timeout", function()
  local w = world()
  w.services[1].running, w.services[1].pending, w.services[1].desired = 0, 2, 2
  local run = t.run("canary.lua", { params = params{ task_timeout = 300 }, cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "Timeout")
  t.match(run.error.message, "reached RUNNING within 300 s")
  t.eq(run.elapsed, 300)
  -- Fail-back was not armed yet, and there is nothing to put back.
  t.eq(run:count("route53.set_weights"), 0)
  t.eq(run:count("failback.restore"), 0)
  t.eq(run.weights, { blue = 100, green = 0 })
end)

t.case("waits for each Route53 change to be INSYNC before watching", function()
  local w = world()
  w.change_seconds = 30
  local run = t.run("canary.lua", { params = params(), cloud = w })

  t.eq(run.status, "succeeded")
  local first = run:step("route53.set_weights")
  t.eq(first.result.status, "INSYNC")
  t.ge(first.result.waited_ms, 30000)
  -- The watch starts once the change is INSYNC (polled 0.5 s, x1.5, up to 5 s apart).
  t.eq(run:step("health.all").at, first.ended)
  t.ge(first.ended, 30)
  t.lt(first.ended, 35)
end)

t.case("operator abort at 90 s fails back at once", function()
  local run = t.run("canary.lua", {
    params = params(),
    cloud = world(),
    operator = { { at = 90, action = "abort", reason = "bad metrics", by = "alice" } },
  })

  t.eq(run.status, "aborted")
  t.eq(run.error, { name = "Aborted", message = "aborted by alice: bad metrics" })
  t.eq(weights_sent(run), { TEN, FIFTY })
  t.eq(run:step("health.all", 2).status, "running", "the 50 % watch was cut short")
  assert_failed_back(run)
  t.eq(run:step("failback.restore").at, 90)
  t.eq(run.elapsed, 90)
end)

t.case("promote --full at 30 s ends the 10 % watch, skips to 100 % and still runs the final check", function()
  local run = t.run("canary.lua", {
    params = params(),
    cloud = world(),
    operator = { { at = 30, action = "promote_full", by = "alice" } },
  })

  t.eq(run.status, "succeeded")
  t.eq(weights_sent(run), { TEN, ALL })
  -- The promotion ends the 10 % watch at its next measurement (30 s), then 60 s at 100 %.
  t.eq(run:step("health.all", 1).ended, 30)
  t.eq(run:step("route53.set_weights", 2).at, 30)
  t.eq(run:count("health.all"), 2)
  t.eq(run.elapsed, 90)
  t.eq(run.log[3], "full promotion by alice: skipping to 100%")
end)

t.case("promote --full --force at 30 s goes to 100 % without the final check", function()
  local run = t.run("canary.lua", {
    params = params(),
    cloud = world(),
    operator = { { at = 30, action = "promote_full", force = true } },
  })

  t.eq(run.status, "succeeded")
  t.eq(weights_sent(run), { TEN, ALL })
  t.eq(run:count("health.all"), 1, "only the 10 % watch, ended at 30 s")
  t.eq(run:step("route53.set_weights", 2).at, 30)
  t.eq(run.elapsed, 30)
  t.eq(run.result.weights, ALL)
end)

t.case("pause at 30 s holds the next weight change until unpause at 10 minutes", function()
  local run = t.run("canary.lua", {
    params = params(),
    cloud = world(),
    operator = { { at = 30, action = "pause", reason = "checking dashboards" },
                 { at = t.minutes(10), action = "unpause" } },
  })

  t.eq(run.status, "succeeded")
  -- The watch that was running goes on to its end (60 s); the next step waits for unpause.
  t.eq(run:step("health.all", 1).ended, 60)
  t.eq(run:step("route53.set_weights", 2).at, t.minutes(10))
  t.eq(run.elapsed, t.minutes(10) + 120)
  t.eq(run.weights, ALL)
end)

t.case("refuses a schedule that is not rising before anything happens", function()
  local run = t.run("canary.lua", { params = params{ schedule = { 50, 10 } }, cloud = world() })

  t.eq(run.status, "failed")
  t.match(run.error.message, "schedule%[2%] = 10: expected rising percentages between 0 and 100")
  t.eq(#run.steps, 0)
  t.eq(run.weights, { blue = 100, green = 0 })
end)
