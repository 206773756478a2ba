-- A gate polling every second for 7 days: the journal must stay bounded (scripts/bench-dbos,
-- docs/PERFORMANCE-campaign.md). One health.all step measures 604,800 times in memory
-- between one intent record and one outcome record.
local P = flow.params{ target_group = "app-green", alarm = "app-green-5xx", days = 7 }
local health = require "flow.health"

local r = health.all{
  targets = { target_group = P.target_group, min_healthy = "100%" },
  alarms = { names = { P.alarm } },
  every = 1, ["for"] = P.days * 86400,
}
return { measurements = r.measurements }
