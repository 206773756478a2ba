-- Blue/green: check green before any traffic moves, switch all traffic at once, bake while
-- watching green, then wait for a person to approve (`flow signal ID approve`) before the
-- rollout counts as done. A failure, a rejection (`flow cancel ID`) or no approval in time
-- switches everything back to the original weights.
--
--   flow run workflows/bluegreen.lua --param zone=example.com --param record=app.example.com \
--     --param target_group=app-green --param bake=600
local P = flow.params{
  region = "",
  zone = flow.required "string",
  record = flow.required "string",
  blue = "blue",
  green = "green",
  target_group = flow.required "string",
  alarms = {},
  health_url = "",
  bake = 300.0,              -- seconds of watching green at 100 %
  poll = 10.0,
  approval_timeout = 3600.0, -- seconds to wait for `flow signal ID approve`
}

local route53 = require "flow.route53"
local health = require "flow.health"
local failback = require "flow.failback"

local region = P.region ~= "" and P.region or nil
failback.arm{ zone = P.zone, record = P.record, region = region }

local checks = { targets = { target_group = P.target_group, min_healthy = "100%" }, region = region }
if #P.alarms > 0 then checks.alarms = { names = P.alarms } end
if P.health_url ~= "" then checks.http = { url = P.health_url, samples = 5 } end

-- Green must be healthy before it takes any traffic.
health.all(checks)

route53.set_weights{ zone = P.zone, record = P.record, region = region,
                     weights = { [P.blue] = 0, [P.green] = 100 } }

checks.every, checks["for"] = P.poll, P.bake
health.all(checks)

flow.log("green baked; approve with: flow signal " .. flow.id() .. " approve")
local approved = flow.signal("approve", { timeout = P.approval_timeout })
if not approved then flow.fail("no approval within " .. P.approval_timeout .. " s") end

return { weights = { [P.blue] = 0, [P.green] = 100 } }
