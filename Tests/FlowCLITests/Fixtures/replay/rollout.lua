-- A small rollout for the replay check (ReplayCheckTests): a pure step, processes, a timer, a
-- signal with a verdict, and an on_failure handler. The tests record it with `flow run`, export
-- the history with `flow history ID --json`, edit a copy and run `flow replay` on the copy.
local p = flow.params{ green = 100, pause = 0.05 }

flow.on_failure(function()
  flow.exec{ cmd = "echo rollback >> effects", shell = true }
  flow.step("report", function() return "rolled back" end)
end)

local plan = flow.step("plan", function()
  return { blue = 100 - p.green, green = p.green }
end)
flow.exec{ cmd = "echo shift " .. plan.green .. " >> effects", shell = true }
flow.sleep(p.pause)
local verdict = flow.signal("verdict", { timeout = 30 })
if type(verdict) == "table" and verdict.fail then
  flow.exec{ cmd = "exit 3", shell = true }
end
flow.exec{ cmd = "echo done >> effects", shell = true }
return { weights = plan }
