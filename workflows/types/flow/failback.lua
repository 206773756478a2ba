---@meta flow.failback
-- `local failback = require "flow.failback"` (see plugins/failback/README.md).

local failback = {}

---Captures the record's weights now (journaled) and registers an on_failure handler that
---restores them, verified INSYNC, if the workflow fails, is cancelled or is aborted.
---@param args flow.route53.Where
---@return flow.route53.Weights original
function failback.arm(args) end

---The record's weights (journaled): what `arm` captures.
---@param args flow.route53.Where
---@return flow.route53.Weights
function failback.capture(args) end

---Puts `weights` back with patient retries; used by `arm`'s handler.
---@param args flow.route53.SetWeightsArgs
---@return flow.route53.SetWeightsResult
function failback.restore(args) end

return failback
