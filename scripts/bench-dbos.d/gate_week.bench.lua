-- Runs gate_week.lua under virtual time against the simulated cloud (flow test --keep keeps its
-- journal, whose size scripts/bench-dbos measures). Named *.bench.lua, not *_test.lua, so that a
-- bare `flow test` does not pick it up: it takes 1-2 minutes and about 4 GB of memory.
local t = require "flow.test"

t.case("a gate polling every second for 7 days", function()
  local run = t.run("gate_week.lua", {
    cloud = {
      target_groups = { ["app-green"] = { "healthy", "healthy" } },
      alarms = { ["app-green-5xx"] = "OK" },
    },
  })
  -- The report holds every measurement and every simulated call (604,800 of each): keep the
  -- three figures needed and let the rest go before asserting, under the test's memory cap.
  local status, elapsed, measured = run.status, run.elapsed, run.result and run.result.measurements
  run = nil
  collectgarbage()
  t.eq(status, "succeeded")
  t.eq(elapsed, 7 * 86400)
  t.truthy(measured >= 7 * 86400, "measurements: " .. tostring(measured))
end)
