-- The canary of AWS's "Canary Blue/Green deployments on ECS", as one durable workflow:
-- when green's task is RUNNING, shift Route53 weights from blue to green step by step
-- (10 -> 50 -> 100 %), watch green's health after every step, and fail back to the original
-- weights on any failure. Unlike the original it waits for each change to be INSYNC, checks
-- ALL targets (not the first), can watch alarms and an HTTP endpoint, retries API errors,
-- runs in any region, and a crash anywhere resumes with `flow resume ID`.
--
--   flow run workflows/canary.lua --param zone=example.com --param record=app.example.com \
--     --param cluster=prod --param service=app-green --param target_group=app-green
local P = flow.params{
  region = "",                           -- empty: --region, AWS_REGION, the profile
  zone = flow.required "string",         -- hosted zone name or id
  record = flow.required "string",       -- the weighted record, e.g. app.example.com
  blue = "blue",                         -- set identifiers of the two weighted records
  green = "green",
  cluster = flow.required "string",
  service = flow.required "string",      -- the green ECS service
  container = "",                        -- optional: trigger on this container instead
  target_group = flow.required "string", -- green's target group, ARN or name
  alarms = {},                           -- optional alarm names; any in ALARM fails the step
  health_url = "",                       -- optional URL probed over HTTP at every check
  gates = {},                            -- optional Lua gates after each watch: {{name = "error_rate", args = {...}}}
  schedule = { 10, 50, 100 },            -- green's percentage after each step
  wait = 60.0,                           -- seconds of watching after each change
  poll = 10.0,                           -- seconds between health checks while watching
  task_timeout = 600.0,                  -- seconds to wait for green's task to be RUNNING
  event = {},                            -- the triggering ECS event, when `flow watch` starts it
}

local route53 = require "flow.route53"
local ecs = require "flow.ecs"
local health = require "flow.health"
local failback = require "flow.failback"

local region = P.region ~= "" and P.region or nil
local record = { zone = P.zone, record = P.record, region = region }

for i, pct in ipairs(P.schedule) do
  if math.type(pct) == nil or pct < 0 or pct > 100 or (i > 1 and pct < P.schedule[i - 1]) then
    flow.fail(("schedule[%d] = %s: expected rising percentages between 0 and 100"):format(i, tostring(pct)))
  end
end

-- The seed's trigger: a green task RUNNING (desired RUNNING).
local trigger = { cluster = P.cluster, timeout = P.task_timeout, region = region }
if P.container ~= "" then trigger.container = P.container else trigger.service = P.service end
local task = ecs.await_task(trigger)
flow.log("green task running:", task.task_arn)

-- From here on, any failure, cancel or abort restores these weights (verified INSYNC).
local original = failback.arm(record)
if original.weights[P.blue] == nil or original.weights[P.green] == nil then
  flow.fail(("record %s has no weighted sets '%s' and '%s'"):format(P.record, P.blue, P.green))
end

-- One health check: every gate must pass; a measurement error (an API down) is retried.
local checks = {
  targets = { target_group = P.target_group, min_healthy = "100%" },
  region = region,
}
if #P.alarms > 0 then checks.alarms = { names = P.alarms } end
if P.health_url ~= "" then checks.http = { url = P.health_url, samples = 5 } end

-- `flow promote ID --full` skips the remaining steps: green goes to 100 % now, and its final
-- check still runs unless the operator added --force. Checked before each step, journaled.
local schedule, forced = P.schedule, false
local i = 0
while i < #schedule do
  i = i + 1
  local pct = schedule[i]
  local full = i > 1 and flow.signal("promote_full", { timeout = 0 })
  if full then
    flow.log(("full promotion by %s: skipping to 100%%%s"):format(full.by or "?", full.force and " without the final check" or ""))
    schedule, i, pct, forced = { 100 }, 1, 100, full.force == true
  end
  route53.set_weights{
    zone = P.zone, record = P.record, region = region,
    weights = { [P.blue] = 100 - pct, [P.green] = pct },
  }
  -- Watched every `poll` seconds for `wait` seconds: a failing observation fails the step at
  -- once, and fail-back starts right after it.
  if not forced then
    flow.log(("green at %d%%: watching for %s s"):format(pct, P.wait))
    checks.every, checks["for"] = P.poll, P.wait
    health.all(checks)
    for _, g in ipairs(P.gates) do
      flow.gate(g.name, g.args or {})
    end
  end
end

local last = schedule[#schedule] or 0
return { weights = { [P.blue] = 100 - last, [P.green] = last }, task = task.task_arn, original = original.weights }
