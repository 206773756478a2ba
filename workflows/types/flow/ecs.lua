---@meta flow.ecs
-- `local ecs = require "flow.ecs"` (see plugins/ecs/README.md).

---@class flow.ecs.Deployment
---@field id string
---@field status string PRIMARY, ACTIVE, INACTIVE
---@field rollout_state? string IN_PROGRESS, COMPLETED, FAILED
---@field task_definition string
---@field desired integer
---@field running integer
---@field pending integer
---@field failed integer

---@class flow.ecs.Service
---@field status string
---@field desired integer
---@field running integer
---@field pending integer
---@field task_definition string
---@field deployments flow.ecs.Deployment[]

---@class flow.ecs.Task
---@field task_arn string
---@field task_definition string
---@field last_status string
---@field desired_status string
---@field group string
---@field containers { name: string, last_status: string }[]
---@field started_at? number epoch seconds

local ecs = {}

---A service's counts, task definition and deployments (read-only).
---@param args { cluster: string, service: string, region?: string }
---@return flow.ecs.Service
function ecs.describe_service(args) end

---Waits for a task of `service` (or with `container`) to reach `status` (default RUNNING) with
---desired status RUNNING: the seed architecture's trigger, by polling the ECS API.
---@param args { cluster: string, service?: string, container?: string, status?: string, timeout?: number, every?: number, task_definition?: string, region?: string }
---@return flow.ecs.Task
function ecs.await_task(args) end

---Waits until running == desired on a COMPLETED primary deployment with no stopped tasks.
---@param args { cluster: string, service: string, timeout?: number, every?: number, region?: string }
---@return flow.ecs.Service
function ecs.await_stable(args) end

---The first event from `source` that matches the EventBridge `pattern` (the same language as
---an EventBridge rule); journaled. The step reads its source like a queue's consumer: every
---event it reads is acknowledged, so give it a queue of its own.
---@param args { pattern: table, source: string, timeout?: number, region?: string } source: "sqs:URL", "ecs:CLUSTER/SERVICE", "http:127.0.0.1:PORT", "file:PATH"
---@return table event the EventBridge envelope
function ecs.await_event(args) end

return ecs
