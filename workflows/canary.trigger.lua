-- The seed's trigger, declared in Lua: start workflows/canary.lua once per new revision of the
-- green service, from the ECS events an EventBridge rule delivers to an SQS queue.
--
--   ECS_EVENTS_QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/ecs-events \
--     flow watch workflows/canary.trigger.lua
--
-- Options on the command line override a field here (e.g. --source - to feed events by hand).
-- Paths are relative to this file. The same filter as JSON: canary.trigger.json.
return flow.trigger {
  source  = "sqs:" .. flow.env("ECS_EVENTS_QUEUE_URL", "http://127.0.0.1:4566/000000000000/ecs-events"),
  pattern = {
    source = { "aws.ecs" },
    ["detail-type"] = { "ECS Task State Change" },
    detail = {
      lastStatus = { "RUNNING" },
      desiredStatus = { "RUNNING" },
      containers = { name = { "green-app" } },
    },
  },
  run     = "canary.lua",
  -- one rollout per revision of a service (the default, spelled out)
  key     = { "detail.clusterArn", "detail.group", "detail.taskDefinitionArn" },
  policy  = "queue",   -- a newer revision waits for the running rollout to finish
  params  = {         -- canary.lua's parameters; --param/--params override them
    zone = flow.env("ROLLOUT_ZONE", "example.com"),
    record = flow.env("ROLLOUT_RECORD", "app.example.com"),
    cluster = "FargateCluster",
    service = "canary-green",
    target_group = "canary-green",
  },
}
