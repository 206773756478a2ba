---@meta flow.route53
-- `local route53 = require "flow.route53"` (see plugins/route53/README.md).

---@class flow.route53.Where: flow.StepOptions
---@field zone string hosted zone id ("Z123...", "/hostedzone/Z123...") or name ("example.com")
---@field record string the weighted record's name, e.g. "app.example.com"
---@field type? string record type, when the name has weighted sets of several types
---@field region? string default: --region, AWS_REGION, the profile

---@class flow.route53.Set
---@field set string the SetIdentifier
---@field weight integer
---@field type string
---@field ttl? integer nil for alias records
---@field alias? { zone_id: string, dns_name: string, evaluate_target_health: boolean }
---@field values? string[]

---@class flow.route53.Weights
---@field zone_id string
---@field record string with the trailing dot
---@field type string
---@field ttl? integer
---@field sets flow.route53.Set[]
---@field weights table<string, integer> by set identifier

---@class flow.route53.SetWeightsArgs: flow.route53.Where
---@field weights table<string, integer> absolute weights 0-255 by set identifier, e.g. { blue = 90, green = 10 }
---@field wait? boolean wait for INSYNC (default true)
---@field insync_timeout? number seconds (default 300)

---@class flow.route53.SetWeightsResult
---@field zone_id string
---@field record string
---@field type string
---@field change_id? string nil when nothing had to change
---@field status string "INSYNC" (or Route53's answer with wait = false)
---@field weights table<string, integer> every set, after
---@field previous table<string, integer> every set, before
---@field changed boolean
---@field waited_ms integer

local route53 = {}

---Every weighted set of the record and its weight (read-only).
---@param args flow.route53.Where
---@return flow.route53.Weights
function route53.weights(args) end

---Sets absolute weights in ONE change batch, waits for INSYNC and reads them back. Idempotent.
---@param args flow.route53.SetWeightsArgs
---@return flow.route53.SetWeightsResult
function route53.set_weights(args) end

return route53
