---@meta flow.health
-- `local health = require "flow.health"` (see plugins/health/README.md). Each gate measures once
-- per call; flow.GateOptions (every, for, failure_limit, ...) make the engine poll it.

---@class flow.health.TargetsArgs
---@field target_group string ARN or name
---@field min_healthy? string|integer "100%" (default) or a count
---@field region? string

---@class flow.health.AlarmsArgs
---@field names? string|string[]
---@field prefix? string
---@field insufficient_data? "inconclusive"|"fail"|"pass"
---@field region? string

---@class flow.health.MetricArgs
---@field namespace string
---@field metric string
---@field dimensions? table<string, string>
---@field stat? string default "Sum"
---@field period? integer seconds (default 60)
---@field window? integer seconds (default 300)
---@field threshold number
---@field comparison "<"|"<="|">"|">=" the HEALTHY condition: value COMPARISON threshold
---@field min_samples? integer fewer datapoints is inconclusive (default 1)
---@field region? string

---@class flow.health.HTTPArgs
---@field url string
---@field samples? integer default 5
---@field interval? number seconds (default 0.2)
---@field expect_status? integer|integer[] default 200
---@field min_success? string|integer default "100%"
---@field max_latency_ms? number
---@field percentile? number default 99
---@field request_timeout? number seconds (default 2)

local health = {}

---@param args flow.health.TargetsArgs|flow.GateOptions
---@return flow.GateResult
function health.targets(args) end

---@param args flow.health.AlarmsArgs|flow.GateOptions
---@return flow.GateResult
function health.alarms(args) end

---@param args flow.health.MetricArgs|flow.GateOptions
---@return flow.GateResult
function health.metric(args) end

---@param args flow.health.HTTPArgs|flow.GateOptions
---@return flow.GateResult
function health.http(args) end

---Every given gate in one measurement: any fail fails, else any inconclusive, else pass.
---@param args { targets?: flow.health.TargetsArgs, alarms?: flow.health.AlarmsArgs, metric?: flow.health.MetricArgs, http?: flow.health.HTTPArgs, region?: string }|flow.GateOptions
---@return flow.GateResult
function health.all(args) end

---Raw read (for Lua gates): datapoints oldest first.
---@return { values: number[], timestamps: number[] }
function health.metric_data(args) end

---Raw read (for Lua gates): one GET.
---@param args { url: string, timeout?: number }
---@return { status: integer, body: string, latency_ms: number, truncated?: boolean }
function health.http_get(args) end

---Raw read (for Lua gates).
function health.alarm_states(args) end

---Raw read (for Lua gates).
function health.target_health(args) end

return health
