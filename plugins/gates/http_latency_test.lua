-- Tests for plugins/gates/http_latency.lua, run with `flow test plugins/gates`.
--
-- The gate alone (t.gate: one measurement, GETs answered by the simulated HTTP endpoints or by
-- mocked health.http_get calls): pass and fail against max_ms, nearest-rank percentile maths,
-- the max_ms boundary, any failed request failing the gate (a 503, an unreachable endpoint, a
-- request slower than its timeout), expect_status, and bad arguments (status "error" with the
-- message). Then the gate inside workflows/canary.lua through its `gates` parameter: green
-- getting slow while at 50 % fails the rollout back to blue.
local t = require "flow.test"

local URL = "http://green.internal/health"

-- A cloud where URL answers `status` in `latency_ms`.
local function endpoint(status, latency_ms)
  return { http = { [URL] = { status = status, latency_ms = latency_ms } } }
end

-- Mocks answering the gate's GETs, one per entry of `latencies` (ms), all 200.
local function gets(latencies)
  local responses = {}
  for i, ms in ipairs(latencies) do responses[i] = { returns = { status = 200, latency_ms = ms, body = "ok" } } end
  return { ["health.http_get"] = responses }
end

-- Ten latencies, shuffled; sorted they are 1 3 5 7 9 11 12 15 18 20.
local TEN = { 15, 3, 9, 12, 7, 1, 20, 5, 18, 11 }

----------------------------------------------------------------------------------------------
-- The gate alone

t.case("passes when p95 of 10 GETs is within max_ms", function()
  local g = t.gate("http_latency", { url = URL, max_ms = 200 }, { cloud = endpoint(200, 120) })

  t.eq(g.status, "pass")
  t.eq(g.value, { p95 = 120, samples = 10, failures = 0 })
  t.eq(g.reason, "p95 latency 120.0 ms is within 200 ms")
end)

t.case("fails when p95 is above max_ms", function()
  local g = t.gate("http_latency", { url = URL, max_ms = 100 }, { cloud = endpoint(200, 120) })

  t.eq(g.status, "fail")
  t.eq(g.reason, "p95 latency 120.0 ms is above 100 ms")
end)

t.case("takes the nearest-rank percentile of the latencies", function()
  local function p(percentile)
    local g = t.gate("http_latency", { url = URL, percentile = percentile }, { mocks = gets(TEN) })
    t.eq(g.status, "pass")
    return g.value["p" .. percentile]
  end
  -- The smallest latency with at least p % of the samples at or below it.
  t.eq(p(1), 1)
  t.eq(p(10), 1)
  t.eq(p(11), 3)
  t.eq(p(50), 9)
  t.eq(p(51), 11)
  t.eq(p(90), 18)
  t.eq(p(95), 20)
  t.eq(p(100), 20, "p100 is the slowest")
end)

t.case("names the value after the percentile asked for", function()
  local g = t.gate("http_latency", { url = URL, percentile = 99.9, samples = 4 }, { mocks = gets{ 4, 3, 2, 1 } })

  t.eq(g.value, { ["p99.9"] = 4, samples = 4, failures = 0 })
  t.eq(g.reason, "p99.9 latency 4 ms is within 500 ms")
end)

t.case("a latency exactly at max_ms passes; just above it fails", function()
  t.eq(t.gate("http_latency", { url = URL, max_ms = 20 }, { mocks = gets(TEN) }).status, "pass")
  local g = t.gate("http_latency", { url = URL, max_ms = 19.5 }, { mocks = gets(TEN) })
  t.eq(g.status, "fail")
  t.eq(g.reason, "p95 latency 20 ms is above 19.5 ms")
end)

t.case("makes `samples` GETs", function()
  -- A fourth GET would see 999 ms and make it the p95.
  local g = t.gate("http_latency", { url = URL, samples = 3 }, { mocks = gets{ 30, 10, 20, 999 } })

  t.eq(g.status, "pass")
  t.eq(g.value, { p95 = 30, samples = 3, failures = 0 })
end)

t.case("any failed request fails the gate, however fast the others are", function()
  local g = t.gate("http_latency", { url = URL, samples = 3 }, { mocks = { ["health.http_get"] = {
    { returns = { status = 200, latency_ms = 5, body = "ok" } },
    { error = "HTTPError", message = "GET " .. URL .. ": connection reset" },
    { returns = { status = 503, latency_ms = 2, body = "" } },
  } } })

  t.eq(g.status, "fail")
  t.eq(g.value, { p95 = 5, samples = 3, failures = 2 }, "the percentile of the requests that succeeded")
  t.eq(g.reason, "2 of 3 requests to " .. URL .. " failed (expected status 200; last: status 503)")
end)

t.case("an unreachable endpoint fails every request", function()
  local g = t.gate("http_latency", { url = URL, samples = 2 }, { cloud = {} })

  t.eq(g.status, "fail")
  t.eq(g.value, { samples = 2, failures = 2 }, "no latency to report")
  t.match(g.reason, "last: GET http://green.internal/health: connection refused%)$")
end)

t.case("a request slower than `timeout` is a failure", function()
  local g = t.gate("http_latency", { url = URL, samples = 2, timeout = 0.5 }, { cloud = endpoint(200, 800) })

  t.eq(g.status, "fail")
  t.match(g.reason, "no response within 0.5 s")
end)

t.case("expect_status changes the status that counts as success", function()
  t.eq(t.gate("http_latency", { url = URL, expect_status = 204 }, { cloud = endpoint(204, 10) }).status, "pass")
  local g = t.gate("http_latency", { url = URL, expect_status = 204, samples = 2 }, { cloud = endpoint(200, 10) })
  t.eq(g.status, "fail")
  t.match(g.reason, "expected status 204; last: status 200")
end)

t.case("bad arguments are errors naming the argument", function()
  local missing = t.gate("http_latency", {})
  t.eq(missing.status, "error")
  t.eq(missing.error.name, "GateError")
  t.match(missing.error.message, "http_latency.lua:%d+: args.url must be a string, got nil")

  t.match(t.gate("http_latency", { url = URL, samples = 0 }).error.message, "args.samples must be an integer >= 1")
  t.match(t.gate("http_latency", { url = URL, samples = 2.5 }).error.message, "args.samples must be an integer >= 1")
  t.match(t.gate("http_latency", { url = URL, percentile = 0 }).error.message, "args.percentile must be in %(0, 100%]")
  t.match(t.gate("http_latency", { url = URL, percentile = 101 }).error.message, "args.percentile must be in %(0, 100%]")
  t.match(t.gate("http_latency", { url = URL, max_ms = "fast" }).error.message, "args.max_ms must be a number >= 0, got fast")
  t.match(t.gate("http_latency", { url = URL, p95 = 300 }).error.message,
          "unknown argument 'p95' %(expected: expect_status, max_ms, percentile, samples, timeout, url%)")
  -- A bad timeout would make every request fail: an argument error, never a "fail" verdict
  -- that fails a healthy rollout back.
  t.match(t.gate("http_latency", { url = URL, timeout = -1 }).error.message, "args.timeout must be a number of seconds > 0, got %-1")
end)

t.case("the nearest rank has no floating-point off-by-one (p28 of 25 samples is the 7th)", function()
  local latencies = {}
  for i = 1, 25 do latencies[i] = i end
  local g = t.gate("http_latency", { url = URL, samples = 25, percentile = 28 }, { mocks = gets(latencies) })
  t.eq(g.value.p28, 7)
end)

----------------------------------------------------------------------------------------------
-- The gate in a rollout: workflows/canary.lua with gates = {{ name = "http_latency", args = ... }}

local function canary_world()
  local w = endpoint(200, 40)
  w.records = { { zone = "example.com", name = "app.example.com", weights = { blue = 100, green = 0 } } }
  w.target_groups = { ["app-green"] = { "healthy", "healthy" } }
  w.services = { { cluster = "prod", name = "app-green", running = 2, task_definition = "app:2" } }
  return w
end

local CANARY = {
  zone = "example.com", record = "app.example.com", cluster = "prod", service = "app-green", target_group = "app-green",
  gates = { { name = "http_latency", args = { url = URL, samples = 5, max_ms = 300 } } },
}

t.case("canary: fails back when green gets slow while at 50 %", function()
  local w = canary_world()
  w.changes = { { at = 90, http = { [URL] = { status = 200, latency_ms = 450 } } } }
  local run = t.run("../../workflows/canary.lua", { params = CANARY, cloud = w })

  t.eq(run.status, "failed")
  t.eq(run.error, { name = "GateFailed", message = "gate http_latency: p95 latency 450.0 ms is above 300 ms" })
  local at10, at50 = run:step("gate http_latency", 1), run:step("gate http_latency", 2)
  t.eq(at10.result.value, { p95 = 40, samples = 5, failures = 0 })
  t.eq(at10.at, 60)
  t.eq(at10.ended, 60 + 5 * 0.040, "five GETs of 40 ms each, in virtual time")
  t.eq(at50.result.status, "fail")
  t.eq(run:step("route53.set_weights", 2).args.weights, { blue = 50, green = 50 })
  t.eq(run:count("route53.set_weights"), 2, "never went to 100 %")
  -- Fail-back: failback.restore in the compensation, right after the slow measurement.
  local restore = run:step("failback.restore")
  t.truthy(restore.compensation)
  t.eq(restore.at, at50.ended)
  t.eq(restore.args.weights, { blue = 100, green = 0 })
  t.eq(run.weights, { blue = 100, green = 0 })
end)

t.case("canary: passes the latency gate after every step", function()
  local run = t.run("../../workflows/canary.lua", { params = CANARY, cloud = canary_world() })

  t.eq(run.status, "succeeded")
  t.eq(run:count("gate http_latency"), 3)
  t.eq(run.weights, { blue = 0, green = 100 })
end)
