-- Linear traffic shifting: green gains `step` percent every `interval` seconds until 100 %,
-- with green's health watched all along, and fail-back to the original weights on any failure.
--
--   flow run workflows/linear.lua --param zone=example.com --param record=app.example.com \
--     --param target_group=app-green --param step=20 --param interval=120
local P = flow.params{
  region = "",
  zone = flow.required "string",
  record = flow.required "string",
  blue = "blue",
  green = "green",
  target_group = flow.required "string",
  alarms = {},
  health_url = "",
  step = 10,                 -- percent per step
  interval = 60.0,           -- seconds of watching after each step
  poll = 10.0,
}

if P.step < 1 or P.step > 100 then flow.fail("step must be between 1 and 100, got " .. P.step) end

local route53 = require "flow.route53"
local health = require "flow.health"
local failback = require "flow.failback"

local region = P.region ~= "" and P.region or nil
failback.arm{ zone = P.zone, record = P.record, region = region }

local checks = { targets = { target_group = P.target_group, min_healthy = "100%" }, region = region,
                 every = P.poll, ["for"] = P.interval }
if #P.alarms > 0 then checks.alarms = { names = P.alarms } end
if P.health_url ~= "" then checks.http = { url = P.health_url, samples = 5 } end

local pct = 0
repeat
  pct = math.min(100, pct + P.step)
  route53.set_weights{ zone = P.zone, record = P.record, region = region,
                       weights = { [P.blue] = 100 - pct, [P.green] = pct } }
  flow.log(("green at %d%%"):format(pct))
  health.all(checks)
until pct == 100

return { weights = { [P.blue] = 0, [P.green] = 100 } }
