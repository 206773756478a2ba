---@meta flow.notify
-- `local notify = require "flow.notify"` (see plugins/notify/README.md); `flow.notify` is the same step.

local notify = {}

---Queues a webhook message and returns at once (journaled: a resume never sends it again).
---@param args flow.NotifyArgs
---@return boolean queued false when there is no webhook to post to
function notify.send(args) end

return notify
