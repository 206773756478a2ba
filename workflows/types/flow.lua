---@meta flow
-- LuaCATS definitions of the `flow` global for editors (lua-language-server): add this folder
-- to `workspace.library` in .luarc.json. Nothing here runs; the module itself is built into flow.

---@class flow.RetryPolicy
---@field initial? number seconds before the 2nd attempt (default 1)
---@field backoff? number multiplier per attempt (default 2)
---@field max_interval? number cap on one delay, seconds (default 60)
---@field max_attempts? integer attempts in all (default 3 when retry is given)
---@field jitter? "full"|"none" full: a uniform random share of the delay (default)
---@field non_retryable? string[] error names that end the retries

---@class flow.StepOptions
---@field retry? flow.RetryPolicy
---@field timeout? number seconds

---@class flow.Error
---@field name string e.g. "Timeout", "NonZeroExit", "Failed", "Cancelled"
---@field message string

---@class flow.ExecArgs: flow.StepOptions
---@field cmd string[]|string argv (or a command line with shell = true)
---@field shell? boolean run through /bin/sh -c
---@field env? table<string, string> added to the inherited environment
---@field cwd? string
---@field stdin? string
---@field check? boolean a non-zero exit is the error NonZeroExit (default true)
---@field output_limit? integer bytes kept per stream (default 65536)

---@class flow.NotifyArgs: flow.StepOptions
---@field text string the message: Slack's `text` (mrkdwn), a line for any other receiver
---@field url? string an http(s) webhook for this message (default: every `--notify URL`)
---@field event? string the payload's `event` (default "notify")
---@field fields? table<string, any> more top-level JSON fields (Slack's blocks, channel, username, ...)

---@class flow.ExecResult
---@field code integer|nil nil when killed by a signal
---@field stdout string
---@field stderr string
---@field signal? integer

---Options every gate step takes (native `health.*` gates and `flow.gate`): how to measure, and
---what to do with a verdict that is not a pass.
---@class flow.GateOptions: flow.StepOptions
---@field every? number seconds between measurements
---@field for? number seconds of measuring; the step ends early on a failure beyond failure_limit
---@field count? integer measurements to take (with or instead of `for`)
---@field failure_limit? integer failed measurements tolerated (default 0)
---@field inconclusive_limit? integer inconclusive measurements tolerated (default 0)
---@field consecutive_errors? integer measurement errors in a row tolerated (default 4)
---@field until? "pass" wait for a pass instead (needs `for` or `count`)
---@field on_fail? "error"|"return" default "error": raise GateFailed (fail-back runs)
---@field on_inconclusive? "pause"|"fail"|"return" default "pause": wait for `flow signal ID promote`
---@field pause_timeout? number seconds to wait for promote (default 3600); then it fails

---@class flow.GateResult
---@field status "pass"|"fail"|"inconclusive"
---@field reason string
---@field value? any what was measured
---@field measurements integer
---@field failures integer
---@field inconclusive integer
---@field errors integer
---@field promoted? boolean true when a person promoted an inconclusive verdict

---@class flow
flow = {}

---The execution's id (the same on every replay).
---@return string
function flow.id() end

---Runs a team's Lua gate `plugins/gates/NAME.lua` (search path: --plugins, FLOW_PLUGIN_PATH,
---the workflow's ../plugins/gates and ./gates, ./plugins/gates); its verdict is journaled.
---@param name string
---@param args? table the gate's arguments, plus any flow.GateOptions
---@return flow.GateResult
function flow.gate(name, args) end

---A parameter without a default; optionally typed.
---@type fun(type?: "string"|"number"|"integer"|"boolean"|"table"): table
flow.required = nil

---Declares the workflow's parameters (`--param k=v`, `--params FILE.json`), typed by the defaults.
---@param decl table<string, any>
---@return table<string, any>
function flow.params(decl) end

---Runs `fn` once (pure Lua: no other steps inside); its result or error is journaled.
---@generic T
---@param name string
---@param fn fun(): T
---@param opts? flow.StepOptions
---@return T
function flow.step(name, fn, opts) end

---Runs a process (no shell unless asked); the outcome is journaled.
---@param args flow.ExecArgs
---@return flow.ExecResult
function flow.exec(args) end

---Posts JSON `{text, event, execution_id, seq, key, time, ...fields}` to a webhook without waiting:
---a journaled step that queues the message and returns at once (a resume never sends it again;
---delivery is retried in the background). Without `url`, to every `--notify URL`; with neither,
---nothing is sent and it returns false.
---@param args flow.NotifyArgs
---@return boolean queued
function flow.notify(args) end

---A durable timer: after a crash only the rest is waited.
---@param seconds number
function flow.sleep(seconds) end

---Waits for `flow signal ID NAME [--data JSON]`.
---@param name string
---@param opts? { timeout?: number }
---@return any|nil data the signal's data, true when it has none, nil on timeout
---@return string? err "timeout"
function flow.signal(name, opts) end

---Compensation: runs (newest first, once, durably) when the workflow fails or is cancelled.
---@param fn fun()
function flow.on_failure(fn) end

---Journaled wall-clock time in seconds.
---@return number
function flow.now() end

---Journaled randomness: a float in [0, 1), or an integer in [1, m] or [m, n].
---@param m? integer
---@param n? integer
---@return number
function flow.random(m, n) end

---A progress line (not repeated while replaying).
function flow.log(...) end

---Fails the workflow with `message` at the caller's line.
---@param message string
function flow.fail(message) end
