---@meta flow.test
-- LuaCATS definitions of `require "flow.test"` for editors (see ../flow.lua). The module itself
-- is built into `flow test`; docs/TESTING.md is the guide.

---@class flow.test.Response
---@field returns? any the step's result
---@field error? string the step fails with this error name
---@field message? string
---@field retryable? boolean false ends the retries
---@field status? "pass"|"fail"|"inconclusive" a gate's measurement
---@field reason? string
---@field value? any the gate's measured values
---@field delay? number virtual seconds the call takes first
---@field hang? boolean never answers

---@alias flow.test.Mock flow.test.Response|table<integer|string, flow.test.Response|string>

---@class flow.test.Signal
---@field at number virtual seconds after the start
---@field name string
---@field data? any

---@class flow.test.Command
---@field at number virtual seconds after the start
---@field action "pause"|"unpause"|"promote"|"promote_full"|"abort"|"cancel"
---@field reason? string
---@field force? boolean with promote_full: skip the final check
---@field by? string

---@class flow.test.RunOptions
---@field params? table
---@field cloud? table the simulated cloud's scenario (docs/TESTING.md)
---@field mocks? table<string, flow.test.Mock> by step name: "route53.set_weights", "flow.exec", "gate NAME", ...
---@field signals? flow.test.Signal[]
---@field operator? flow.test.Command[]
---@field horizon? number seconds virtual time may run (default 30 days)
---@field start? number Unix seconds the run starts at (default 2026-01-01T00:00:00Z)
---@field seed? integer seeds retry jitter and flow.random (default 1)
---@field exec? "mock"|"real" real: flow.exec runs the processes
---@field gates? string[] more folders of Lua gates
---@field id? string

---@class flow.test.Try
---@field attempt integer
---@field at number
---@field ended? number
---@field status "completed"|"failed"|"running"
---@field result? any
---@field error? flow.Error
---@field retry_at? number

---@class flow.test.Step
---@field seq integer
---@field kind "step"|"native"|"sleep"|"signal"|"now"|"random"
---@field name string
---@field args? table
---@field location string file:line
---@field attempts integer
---@field status "completed"|"failed"|"running"
---@field result? any
---@field error? flow.Error
---@field at number virtual seconds since the start
---@field ended? number
---@field compensation boolean it ran in an on_failure handler
---@field tries flow.test.Try[]

---@class flow.test.Run
---@field id string
---@field status "succeeded"|"failed"|"cancelled"|"aborted"|"stalled"
---@field result? any
---@field error? flow.Error
---@field elapsed number virtual seconds
---@field steps flow.test.Step[]
---@field compensated boolean
---@field log string[]
---@field warnings string[]
---@field measurements table[] { seq, name, status, reason, value, at, count }
---@field waiting? table { seq, kind, name, since, until } of a stalled run
---@field cloud? table the simulated cloud's final state and calls
---@field weights? table<string, integer> the only record's weights
---@field home? string with --keep
local Run = {}
---@param name? string
---@return flow.test.Step[]
function Run:find(name) end
---@param name string
---@param n? integer default 1
---@return flow.test.Step
function Run:step(name, n) end
---@param name string
---@return integer
function Run:count(name) end
---@param name? string
---@return table[] the simulated cloud's API calls { at, name, args }
function Run:calls(name) end

---@class flow.test.Verdict
---@field status "pass"|"fail"|"inconclusive"|"error"
---@field reason? string
---@field value? any
---@field error? flow.Error

local t = {}
---@param name string
---@param fn fun()
function t.case(name, fn) end
t.test = t.case
---@param workflow string path relative to the test file
---@param options? flow.test.RunOptions
---@return flow.test.Run
function t.run(workflow, options) end
---@param name string a Lua gate (NAME of NAME.lua) or a native one ("health.targets")
---@param args? table
---@param options? { cloud?: table, mocks?: table<string, flow.test.Mock>, gates?: string[], at?: number, attempt?: integer }
---@return flow.test.Verdict
function t.gate(name, args, options) end
---@param scenario table
---@return table
function t.cloud(scenario) end
function t.eq(got, want, msg) end
function t.ne(got, other, msg) end
function t.truthy(v, msg) end
function t.falsy(v, msg) end
---@param s string
---@param pattern string
function t.match(s, pattern, msg) end
function t.lt(a, b, msg) end
function t.le(a, b, msg) end
function t.gt(a, b, msg) end
function t.ge(a, b, msg) end
---@param fn fun()
---@param pattern? string
function t.raises(fn, pattern, msg) end
---@param msg? string
function t.fail(msg) end
---@return number
function t.minutes(n) end
---@return number
function t.hours(n) end
---@return number
function t.days(n) end
---@return string
function t.show(v) end

return t
