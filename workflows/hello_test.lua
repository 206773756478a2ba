-- Tests for workflows/hello.lua, run with `flow test workflows`.
--
-- Covers the workflow API tour: flow.step's result, flow.exec's arguments and its retry policy
-- (max_attempts 3) on a failing or hanging command, the durable 2 s sleep in virtual time,
-- os.date following the run's virtual clock, and the compensation (flow.on_failure) running
-- once the command has failed three times. flow.exec is mocked except in one case that runs
-- the real command (exec = "real").
local t = require "flow.test"

-- flow.exec's result as a real run journals it: { code, stdout, stderr }.
local function exited(stdout)
  return { returns = { code = 0, stdout = stdout, stderr = "" } }
end

t.case("greets the name given, sleeps 2 s and returns what the command said", function()
  local run = t.run("hello.lua", {
    params = { name = "bob" },
    mocks = { ["flow.exec"] = exited("hello, bob from Linux\n") },
  })

  t.eq(run.status, "succeeded")
  t.eq(run.result, { greeting = "hello, bob", said = "hello, bob from Linux\n", at = "2026-01-01T00:00:02Z" })
  t.eq(run:step("compose").result, "hello, bob")
  -- The command gets the greeting through its environment, not its command line.
  local exec = run:step("flow.exec")
  t.eq(exec.args.cmd, { "sh", "-c", "echo \"$GREETING\" from $(uname -s)" })
  t.eq(exec.args.env, { GREETING = "hello, bob" })
  t.eq(run:step("flow.sleep").args.seconds, 2)
  t.eq(run:step("flow.sleep").ended, 2)
  t.eq(run.log, { "exec said: hello, bob from Linux\n" })
  t.eq(run:count("flow.exec"), 1, "no compensation on success")
end)

t.case("the sleep is as long as the pause parameter, in virtual time", function()
  local run = t.run("hello.lua", {
    params = { pause = t.hours(6) },
    mocks = { ["flow.exec"] = exited("hello, world from Linux\n") },
    start = 1800000000, -- 2027-01-15T08:00:00Z
  })

  t.eq(run.status, "succeeded")
  t.eq(run.elapsed, t.hours(6))
  t.eq(run.result.at, "2027-01-15T14:00:00Z", "os.date reads the run's clock")
end)

t.case("retries the command once after it fails, within the retry policy's first backoff", function()
  local run = t.run("hello.lua", {
    mocks = { ["flow.exec"] = {
      by = "attempt",
      [1] = { error = "NonZeroExit", message = "exit status 1" },
      [2] = exited("hello, world from Linux\n"),
    } },
  })

  t.eq(run.status, "succeeded")
  local exec = run:step("flow.exec")
  t.eq(exec.attempts, 2)
  t.eq(exec.status, "completed")
  t.lt(exec.ended, 0.5, "initial = 0.5 s, full jitter")
  t.eq(run:step("flow.sleep").at, exec.ended)
end)

t.case("a command hanging past its 10 s timeout is retried", function()
  local run = t.run("hello.lua", {
    mocks = { ["flow.exec"] = { by = "attempt", [1] = { hang = true }, [2] = exited("hello, world from Linux\n") } },
  })

  t.eq(run.status, "succeeded")
  t.eq(run:step("flow.exec").attempts, 2)
  t.ge(run:step("flow.exec").ended, 10)
  t.lt(run:step("flow.exec").ended, 10.5)
end)

t.case("undoes the greeting once the command has failed three times", function()
  local run = t.run("hello.lua", {
    mocks = { ["flow.exec"] = {
      ["1-3"] = { error = "NonZeroExit", message = "exit status 1" },  -- the three attempts
      [4] = exited("undoing the greeting\n"),                          -- the compensation
    } },
  })

  t.eq(run.status, "failed")
  t.eq(run.error, { name = "NonZeroExit", message = "exit status 1" })
  local greet, undo = run:step("flow.exec", 1), run:step("flow.exec", 2)
  t.eq(greet.attempts, 3, "max_attempts = 3")
  t.eq(greet.status, "failed")
  t.lt(greet.ended, 0.5 + 1, "two backoffs of at most 0.5 and 1 s")
  t.truthy(undo.compensation, "the on_failure handler's step")
  t.eq(undo.args.cmd, { "echo", "undoing the greeting" })
  t.eq(undo.at, greet.ended)
  t.truthy(run.compensated)
  t.eq(run:count("flow.sleep"), 0)
end)

t.case("runs the real command with exec = \"real\"", function()
  local run = t.run("hello.lua", { params = { name = "carol" }, exec = "real" })

  t.eq(run.status, "succeeded")
  t.match(run.result.said, "^hello, carol from %S+\n$")
  t.eq(run:step("flow.exec").result.code, 0)
end)
