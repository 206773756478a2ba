-- A tour of the workflow API. Every call on `flow` is a step: its result is journaled before
-- the script goes on, so a crash at any line resumes here with `flow resume ID`.
local p = flow.params{
  name = "world",          -- flow run workflows/hello.lua --param name=you
  pause = 2,               -- seconds of durable sleep
}

flow.on_failure(function()
  -- Compensation: runs once, durably, if anything below fails or the run is cancelled.
  flow.exec{ cmd = { "echo", "undoing the greeting" } }
end)

local greeting = flow.step("compose", function()
  return ("hello, %s"):format(p.name)
end)

local r = flow.exec{
  cmd = { "sh", "-c", "echo \"$GREETING\" from $(uname -s)" },
  env = { GREETING = greeting },
  retry = { max_attempts = 3, initial = 0.5 },
  timeout = 10,
}
flow.log("exec said:", r.stdout)

flow.sleep(p.pause)        -- durable: after a crash only the rest is waited

return { greeting = greeting, said = r.stdout, at = os.date("!%Y-%m-%dT%H:%M:%SZ") }
