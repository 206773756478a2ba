-- Tests for workflows/approval.lua, run with `flow test workflows`.
--
-- Covers: shipping when a person approves (`flow signal ID approve --data '{"by":"alice"}'`),
-- with who approved passed on; nobody approving within the timeout; an approval that comes
-- too late; a longer timeout given as a parameter; a failing build step; and what a test sees
-- when a run outlives the test's horizon (status "stalled", and what it was waiting for).
-- flow.exec is mocked: no process runs.
local t = require "flow.test"

-- What `echo` would answer: flow.exec's result is { code, stdout, stderr }.
local function echoed(text)
  return { returns = { code = 0, stdout = text .. "\n", stderr = "" } }
end

t.case("ships when alice approves at minute 2", function()
  local run = t.run("approval.lua", {
    mocks = { ["flow.exec"] = { echoed("release candidate built"), echoed("shipping, approved by alice") } },
    signals = { { at = t.minutes(2), name = "approve", data = { by = "alice" } } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run.result, { by = "alice" })
  t.eq(run:step("approve").at, 0)
  t.eq(run:step("approve").ended, t.minutes(2))
  t.eq(run:step("approve").args.timeout, 300)
  -- The second command is built from the approval's data.
  t.eq(run:count("flow.exec"), 2)
  t.eq(run:step("flow.exec", 2).args.cmd, { "echo", "shipping, approved by alice" })
  t.eq(run:step("flow.exec", 2).at, t.minutes(2))
  t.eq(run.elapsed, t.minutes(2))
end)

t.case("ships when approved without data (flow signal ID approve)", function()
  local run = t.run("approval.lua", {
    mocks = { ["flow.exec"] = { echoed("release candidate built"), echoed("shipping, approved by someone") } },
    signals = { { at = 60, name = "approve" } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run:step("flow.exec", 2).args.cmd, { "echo", "shipping, approved by someone" })
end)

t.case("fails when nobody approves within 300 s, and ships nothing", function()
  local run = t.run("approval.lua", { mocks = { ["flow.exec"] = echoed("release candidate built") } })

  t.eq(run.status, "failed")
  t.eq(run.error.name, "Failed")
  t.match(run.error.message, "no approval within 300 s %(timeout%)")
  t.eq(run:step("approve").status, "failed")
  t.eq(run:step("approve").error.name, "Timeout")
  t.eq(run:count("flow.exec"), 1, "the shipping command never ran")
  t.eq(run.elapsed, 300)
end)

t.case("an approval after the timeout is too late", function()
  local run = t.run("approval.lua", {
    mocks = { ["flow.exec"] = echoed("release candidate built") },
    signals = { { at = 301, name = "approve", data = { by = "alice" } } },
  })

  t.eq(run.status, "failed")
  t.eq(run:step("approve").ended, 300)
  t.eq(run:count("flow.exec"), 1)
end)

t.case("waits as long as the timeout parameter says", function()
  local run = t.run("approval.lua", {
    params = { timeout = t.hours(8) },
    mocks = { ["flow.exec"] = echoed("ok") },
    signals = { { at = t.hours(7), name = "approve", data = { by = "dave" } } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run.result.by, "dave")
  t.eq(run:step("approve").args.timeout, t.hours(8))
  t.eq(run.elapsed, t.hours(7))
end)

t.case("stops before waiting when the build step fails", function()
  local run = t.run("approval.lua", {
    mocks = { ["flow.exec"] = { error = "NonZeroExit", message = "exit status 1" } },
    signals = { { at = 10, name = "approve", data = { by = "alice" } } },
  })

  t.eq(run.status, "failed")
  t.eq(run.error, { name = "NonZeroExit", message = "exit status 1" })
  t.eq(run:step("flow.exec").attempts, 1, "flow.exec without `retry` runs once")
  t.eq(run:count("approve"), 0)
end)

t.case("a wait longer than the test's horizon ends the run as stalled", function()
  local run = t.run("approval.lua", {
    params = { timeout = t.days(60) },
    mocks = { ["flow.exec"] = echoed("release candidate built") },
    horizon = t.days(1),
  })

  t.eq(run.status, "stalled")
  t.eq(run.elapsed, t.days(1))
  t.eq(run.waiting.kind, "signal")
  t.eq(run.waiting.name, "approve")
  t.eq(run.waiting["until"], t.days(60))
  t.eq(run:step("approve").status, "running")
end)
