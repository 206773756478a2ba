import Foundation
import Testing
import FlowLua
@testable import FlowEngine

/// Known sandbox escapes and abuses, each run for real: a workflow in a real home (real Lua,
/// real WAL), and a Lua gate through `gates.run`. Each must end with a clear error (at the
/// script's file:line where Lua knows it), leave a journal that `flow history` reads and that a
/// resume answers with the same ending, and leave the process healthy: the next run in the same
/// process works. The table in docs/RELIABILITY-abuse.md lists each abuse with its test.
@Suite struct HostileLuaTests {
    /// Small limits so that runaway scripts end in well under a second on a loaded machine.
    static let tight = LuaLimits(memoryBytes: 32 << 20, instructions: 5_000_000)

    /// Runs `source` as execution `id`, expects it to fail, and checks containment: the journal
    /// reads back and ends with that failure, a resume says it already failed, and a plain
    /// workflow then runs in the same process. Returns the error with local paths.
    func contained(_ source: String, id: String, limits: LuaLimits? = tight, registry: StepRegistry? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> StepError
    {
        let h = try WorkflowHarness()
        if let registry { h.registry = registry }
        let outcome = try await h.run(h.write(id + ".lua", source), id: id, limits: limits)
        guard case .failed(let error) = outcome else {
            Issue.record("expected a failure, got \(outcome)", sourceLocation: sourceLocation)
            return StepError(name: "?", message: "\(outcome)")
        }
        try checkJournal(h, id: id, ending: error, sourceLocation: sourceLocation)
        let again = try await h.resume(id)
        #expect(again == .alreadyFinished(.failed), sourceLocation: sourceLocation)
        try await checkHealthy(h, sourceLocation: sourceLocation)
        return h.local(error)
    }

    /// The journal as `flow history` reads it, ending with `finished` carrying `ending`.
    func checkJournal(_ h: WorkflowHarness, id: String, ending: StepError, sourceLocation: SourceLocation) throws {
        let history = try HistoryEntry.load(home: h.home, id: id)
        #expect(history.first?.kind == "started", sourceLocation: sourceLocation)
        #expect(history.last?.kind == "finished", sourceLocation: sourceLocation)
        guard case .finished(let f)? = try h.entries(id).last else {
            Issue.record("no finished record", sourceLocation: sourceLocation)
            return
        }
        #expect(f.status == .failed, sourceLocation: sourceLocation)
        #expect(f.error == ending, sourceLocation: sourceLocation)
        let summary = try ExecutionSummary.load(home: h.home, id: id)
        #expect(summary.status == "failed", sourceLocation: sourceLocation)
    }

    func checkHealthy(_ h: WorkflowHarness, sourceLocation: SourceLocation) async throws {
        let ok = try await h.run(h.write("ok.lua", "return flow.step('ok', function() return 41 + 1 end)"), id: "ok-after")
        #expect(ok == .succeeded(42), sourceLocation: sourceLocation)
    }

    // MARK: facilities withheld

    @Test(arguments: [
        ("debug.sethook()", "debug is not available in workflows"),
        ("local r = debug.getregistry()", "debug is not available in workflows"),
        ("local f = package.loadlib('libc.so.6', 'system')", "package is not available in workflows: use require \"flow.NAME\" for plugins"),
        ("dofile('/etc/passwd')", "dofile is not available in workflows"),
        ("loadfile('/etc/passwd')", "loadfile is not available in workflows"),
        ("local d = string.dump(print)", "string.dump is not available in workflows"),
        ("local e = os.getenv('AWS_SECRET_ACCESS_KEY')", "os.getenv is not available in workflows: pass values with flow.params"),
        ("os.exit(0)", "os.exit is not available in workflows: use flow.fail(message) to end the workflow"),
        ("os.remove('/tmp/x')", "os.remove is not available in workflows: use flow.exec"),
        ("local f = load('return 1', 'x', 'b')", "load: binary chunks are not allowed (mode must be \"t\")"),
        ("local f = load('return 1', 'x', 'bt')", "load: binary chunks are not allowed (mode must be \"t\")"),
        ("local m = setmetatable({}, { __gc = function() end })", "setmetatable: __gc is not available in a sandboxed script (a finaliser runs outside the script's limits)"),
    ])
    func withheldFacilitiesFailAtTheScriptsLine(code: String, why: String) async throws {
        let e = try await contained("local a = 1\n" + code, id: "withheld")
        #expect(e.name == "Error")
        #expect(e.message == "withheld.lua:2: " + why)
    }

    @Test func stringMethodsAndLoadReachNothingWithheld() async throws {
        // The string metatable is the host's, but protected and without dump.
        let dump = try await contained("local d = ('').dump(print)", id: "sdump")
        #expect(dump.message.hasPrefix("sdump.lua:1: attempt to call a nil value"))
        let meta = try await contained("local m = getmetatable('').__index", id: "smeta")
        #expect(meta.message == "smeta.lua:1: attempt to index a boolean value")
        // Text only, even from a reader function, and loaded chunks get the sandbox.
        let bin = try await contained("""
            local parts, i = { "\\27Lua", "T\\0" }, 0
            local f, err = load(function() i = i + 1; return parts[i] end)
            error(err)
            """, id: "lbin")
        #expect(bin.message.contains("attempt to load a binary chunk (mode is 't')"))
        let io = try await contained("load('local f = io.open(\"/etc/passwd\")')()", id: "lio")
        #expect(io.message.contains("io is not available in workflows"))
    }

    // MARK: memory

    @Test func memoryBombsEndAtTheCap() async throws {
        let rep = try await contained("local s = ('x'):rep(64 << 20)", id: "rep")
        #expect(rep.name == "MemoryLimit")
        #expect(rep.message == "rep.lua:1: memory limit exceeded: the script used more than 32 MiB")
        let huge = try await contained("local s = string.rep('x', 1 << 40)", id: "rep40")
        #expect(huge.message == "rep40.lua:1: resulting string too large")
        let doubling = try await contained("local s = 'x'\nwhile true do s = s .. s end", id: "dbl")
        #expect(doubling.name == "MemoryLimit")
        let concat = try await contained("""
            local t = {}
            for i = 1, 1e9 do t[i] = 'abcdefgh' end
            """, id: "tbl")
        #expect(concat.name == "MemoryLimit")
        // pcall catches the allocation error, but the limit still ends the script.
        let swallowed = try await contained("""
            local keep = {}
            while true do pcall(function() keep[#keep + 1] = ('y'):rep(1 << 20) .. #keep end) end
            """, id: "swal")
        #expect(swallowed.name == "MemoryLimit")
    }

    // MARK: deep recursion

    @Test func deepRecursionEndsWithLuasOwnError() async throws {
        let lua = try await contained("local function f(n) return 1 + f(n + 1) end\nreturn f(1)", id: "rec", limits: nil)
        #expect(lua.message.hasPrefix("rec.lua:1: stack overflow"))
        let gsub = try await contained("local function f(s) return (s:gsub('.', f)) end\nreturn f('ab')", id: "gsub")
        #expect(gsub.message.contains("C stack overflow"))
        let chain = try await contained("local t = {}\nsetmetatable(t, { __index = t })\nreturn t.x", id: "chain")
        #expect(chain.message == "chain.lua:3: '__index' chain too long; possible loop")
        let fn = try await contained("local t = setmetatable({}, { __index = function(t, k) return t[k] end })\nreturn t.x", id: "idxfn")
        #expect(fn.message.contains("stack overflow"))
    }

    @Test func deepOrCyclicTablesAreRefusedAtTheBoundary() async throws {
        let deep = "local t = {} local c = t for i = 1, 100000 do c.x = {} c = c.x end\n"
        let result = try await contained(deep + "return flow.step('deep', function() return t end)", id: "dres")
        #expect(result.name == "InvalidResult")
        #expect(result.message.contains("table nested more than 64 levels deep (or it contains itself)"))
        // The path is cut, not 64 levels long.
        #expect(result.message.count < 600)
        let body = try await contained(deep + "return t", id: "dbody")
        #expect(body.message.hasPrefix("the workflow returned table nested more than 64 levels deep"))
        let plugin = CounterPlugin()
        var registry = StepRegistry.standard
        registry.register(plugin)
        let args = try await contained("""
            local c = require "flow.counter"
            local t = {} t.t = t
            c.set{ zone = "z", weights = { blue = 1 }, note = t }
            """, id: "dargs", registry: registry)
        #expect(args.message.hasPrefix("dargs.lua:3: bad argument #1 to 'counter.set' (table nested more than 64 levels deep"))
        #expect(plugin.calls.all.isEmpty)
    }

    // MARK: endless loops

    @Test func endlessLoopsEndAtTheInstructionLimitWherever() async throws {
        let body = try await contained("local n = 0\nwhile true do n = n + 1 end", id: "lbody")
        #expect(body.name == "InstructionLimit")
        // Lua's count hook may report the line of the instruction before the loop's jump.
        #expect(body.message.hasPrefix("lbody.lua:"))
        #expect(body.message.contains(": instruction limit exceeded: the script ran more than 5000000 instructions"))
        let step = try await contained("flow.step('spin', function()\n  while true do end\nend)", id: "lstep")
        #expect(step.name == "InstructionLimit")
        // Inside a coroutine the script made (hooks are inherited by new threads).
        let co = try await contained("local f = coroutine.wrap(function() while true do end end)\nf()", id: "lco")
        #expect(co.name == "InstructionLimit")
        // In an on_failure handler: the handler's failure is added to the body's error.
        let handler = try await contained("""
            flow.on_failure(function()
              while true do end
            end)
            error("boom")
            """, id: "lfail")
        #expect(handler.name == "Error")
        #expect(handler.message.hasPrefix("lfail.lua:4: boom (compensation failed: lfail.lua:"))
        #expect(handler.message.hasSuffix(": instruction limit exceeded: the script ran more than 5000000 instructions)"))
        // In a __close handler.
        let close = try await contained("""
            do
              local x <close> = setmetatable({}, { __close = function() while true do end end })
            end
            """, id: "lclose")
        #expect(close.name == "InstructionLimit")
    }

    // MARK: the garbage collector

    @Test func finalisersAreRefusedEvenWhenAddedLater() async throws {
        // A finaliser would run with Lua's hooks off: an endless one would hang the process.
        let later = try await contained("""
            local mt = { __gc = false }
            local t = setmetatable({}, mt)
            mt.__gc = function() while true do end end
            """, id: "gclate")
        #expect(later.message.hasPrefix("gclate.lua:2: setmetatable: __gc is not available"))
        // A __gc reached through __index is not one Lua honours, so it is allowed.
        let proxy = try await contained("""
            local base = { __gc = function() while true do end end }
            local t = setmetatable({}, setmetatable({}, { __index = base }))
            collectgarbage()
            error("done")
            """, id: "gcidx")
        #expect(proxy.message == "gcidx.lua:4: done")
    }

    @Test func collectgarbageIsChargedAndRestricted() async throws {
        let refused = try await contained("""
            local out = {}
            for _, opt in ipairs{ "stop", "restart", "incremental", "generational", "setpause", "setstepmul", "isrunning" } do
              local ok, err = pcall(collectgarbage, opt, 1e9, 1e9, 1e9)
              out[#out + 1] = err
            end
            error(table.concat(out, "\\n"), 0)
            """, id: "gcopt")
        #expect(refused.message.split(separator: "\n").count == 7)
        #expect(refused.message.split(separator: "\n").allSatisfy { $0.hasSuffix("') is not available in a sandboxed script") })
        // "step" with a huge size was a full collection no instruction counted.
        let start = ContinuousClock.now
        let steps = try await contained("for i = 1, 1e9 do collectgarbage('step', 1e9) end", id: "gcstep")
        #expect(steps.name == "InstructionLimit")
        let big = try await contained("""
            local keep = {}
            for i = 1, 2e5 do keep[i] = { i } end
            while true do collectgarbage() end
            """, id: "gcfull", limits: LuaLimits(memoryBytes: 64 << 20, instructions: 50_000_000))
        #expect(big.name == "InstructionLimit")
        // Bounds that catch a hang, not a slow machine.
        #expect(ContinuousClock.now - start < .seconds(30))
        let h = try WorkflowHarness()
        let counted = try await h.run(h.write("c.lua", "local k = collectgarbage('count')\ncollectgarbage('step')\ncollectgarbage()\nreturn math.type(k)"))
        #expect(counted == .succeeded("float"))
    }

    // MARK: the host API

    @Test func theFlowTableIsTheScriptsOwnToSpoil() async throws {
        let h = try WorkflowHarness()
        // No metatable to reach the host through; replacing a function fools only the script.
        let out = try await h.run(h.write("m.lua", """
            local mt = getmetatable(flow)
            flow.step = function(name) return "fake " .. name end
            setmetatable(flow, { __index = function() return "x" end })
            return { mt = tostring(mt), step = flow.step("s"), missing = flow.nothing }
            """), id: "spoil")
        #expect(out == .succeeded(["mt": "nil", "step": "fake s", "missing": "x"]))
        #expect(try h.entries("spoil").contains { if case .intent = $0 { true } else { false } } == false)
    }

    @Test func metamethodsOfArgumentsAndResultsNeverRun() async throws {
        let h = try WorkflowHarness()
        let plugin = CounterPlugin()
        h.registry.register(plugin)
        // The host reads tables raw: __index, __pairs and __len are not called.
        let out = try await h.run(h.write("p.lua", """
            local ran = {}
            local mt = {
              __index = function(_, k) ran[#ran + 1] = "index " .. k; return 1 end,
              __pairs = function() ran[#ran + 1] = "pairs"; error("pairs") end,
              __len = function() ran[#ran + 1] = "len"; return 99 end,
            }
            local v = flow.step("proxy", function() return setmetatable({ real = true }, mt) end)
            local ok, err = pcall(require("flow.counter").set, setmetatable({ weights = { a = 1 } }, mt))
            return { v = v, ok = ok, err = tostring(err), ran = #ran }
            """), id: "proxy")
        guard case .succeeded(let v) = out else { Issue.record("\(out)"); return }
        #expect(v["v"] == ["real": true])
        #expect(v["ok"] == false)
        #expect(v["err"].stringValue?.contains("zone") == true)
        #expect(v["ran"] == 0)
        #expect(plugin.calls.all.isEmpty)
    }

    @Test func tostringMetamethodsThatMisbehave() async throws {
        let errs = try await contained("local t = setmetatable({}, { __tostring = function() error('tostring boom') end })\nflow.log(t)", id: "tserr")
        #expect(errs.message == "tserr.lua:1: tostring boom")
        let yields = try await contained("local t = setmetatable({}, { __tostring = function() coroutine.yield() end })\nprint(t)", id: "tsyld")
        #expect(yields.message.contains("attempt to yield across a C-call boundary"))
        let steps = try await contained("local t = setmetatable({}, { __tostring = function() flow.sleep(0) return 'x' end })\nprint(t)", id: "tsstep")
        #expect(steps.message == "tsstep.lua:1: flow.sleep cannot be called here (inside a metamethod, a table.sort comparator or a string.gsub callback)")
        let nonString = try await contained("local t = setmetatable({}, { __tostring = function() return {} end })\nflow.log(t)", id: "tsnon")
        #expect(nonString.message.contains("'__tostring' must return a string"))
    }

    // MARK: yields across the host boundary

    @Test func yieldsOutsideAFlowCallNameTheLine() async throws {
        let cases: [(String, String, Int)] = [
            ("ybody", "local a = 1\ncoroutine.yield('x')", 2),
            ("ystep", "flow.step('y', function()\n  coroutine.yield(1)\nend)", 2),
            ("yindex", "local t = setmetatable({}, { __index = function()\n  coroutine.yield()\nend })\nreturn t.x", 2),
            ("yadd", "local t = setmetatable({}, { __add = function() coroutine.yield() end })\nreturn t + 1", 1),
            ("yfail", "flow.on_failure(function()\n  coroutine.yield()\nend)\nerror('boom')", 2),
        ]
        for (id, source, line) in cases {
            let e = try await contained(source, id: id)
            #expect(e.message.contains("\(id).lua:\(line): the workflow yielded outside a flow call"), "\(id): \(e.message)")
        }
    }

    @Test func stepsFromTheWorkflowsOwnCoroutinesAreRefused() async throws {
        let h = try WorkflowHarness()
        let out = try await h.run(h.write("co.lua", """
            local co = coroutine.create(function() return flow.step("s", function() return 1 end) end)
            local ok, err = coroutine.resume(co)
            local inner = flow.step("inner", function()
              local g = coroutine.wrap(function() coroutine.yield(5) end)
              return g()
            end)
            return { ok = ok, err = err, inner = inner }
            """), id: "co")
        #expect(out == .succeeded([
            "ok": false, "inner": 5,
            "err": "flow.step cannot be called from a coroutine the workflow created: call it from the workflow itself",
        ]))
        // A tail call leaves no frame of the script's in the coroutine: coroutine.wrap adds its caller's line.
        let native = try await contained("local f = coroutine.wrap(function() return flow.exec{ cmd = { 'true' } } end)\nf()", id: "conat")
        #expect(native.message == "conat.lua:2: flow.exec cannot be called from a coroutine the workflow created: call it from the workflow itself")
    }

    // MARK: errors that are not strings

    @Test func errorValuesOfEveryKindEndCleanly() async throws {
        let cases: [(String, String)] = [
            ("error(nil)", "enil.lua:2: (error object is a nil value)"),
            ("error({})", "etbl.lua:2: (error object is a table value)"),
            ("error(print)", "efn.lua:2: (error object is a function value)"),
            ("error(true)", "ebool.lua:2: (error object is a boolean value)"),
            ("error({ name = 42, message = {} })", "ename.lua:2: (error object is a table value)"),
            ("local t = {} t.t = t error(t)", "ecyc.lua:2: (error object is a table value)"),
            ("error(setmetatable({}, { __tostring = function() while true do end end }))", "etos.lua:2: (error object is a table value)"),
            ("error({ message = 'only a message' })", "emsg.lua:2: only a message"),
        ]
        for (code, message) in cases {
            let id = String(message.prefix { $0 != "." })
            let e = try await contained("local a = 1\n" + code, id: id)
            #expect(e.message == message)
        }
        let named = try await contained("error({ name = 'Throttling', message = 'slow down' })", id: "enamed")
        #expect(named == StepError(name: "Throttling", message: "slow down"))
    }

    @Test func errorsInsideAStepFunctionOfEveryKind() async throws {
        for (code, message) in [("error(nil)", "(error object is a nil value)"), ("error(print)", "(error object is a function value)"),
                                ("local t = {} t.t = t error(t)", "(error object is a table value)")]
        {
            let e = try await contained("flow.step('s', function() \(code) end)", id: "se")
            #expect(e == StepError(name: "Error", message: message))
        }
    }

    // MARK: values the journal cannot hold

    @Test func hugeErrorsAreCutSoTheFailureIsJournaled() async throws {
        let big = try await contained("error(string.rep('x', 20 << 20))", id: "ehuge", limits: nil)
        #expect(big.message.utf8.count < 70 << 10)
        #expect(big.message.hasPrefix("ehuge.lua:1: xxxx"))
        #expect(big.message.hasSuffix(" more bytes cut)"))
        let step = try await contained("flow.step('s', function() error(string.rep('y', 20 << 20)) end)", id: "eshuge", limits: nil)
        #expect(step.message.hasSuffix(" more bytes cut)"))
        let name = try await contained("error({ name = string.rep('N', 20 << 20), message = 'm' })", id: "enhuge", limits: nil)
        #expect(name.name.utf8.count < 2048)
        let handler = try await contained("flow.on_failure(function() error(string.rep('z', 20 << 20)) end)\nerror('boom')", id: "efhuge", limits: nil)
        #expect(handler.message.hasPrefix("efhuge.lua:2: boom (compensation failed: efhuge.lua:1: zzz"))
        #expect(handler.message.utf8.count < 70 << 10)
    }

    @Test func hugeValuesFailTheirStepInsteadOfStoppingTheRunForGood() async throws {
        let result = try await contained("return flow.step('big', function() return string.rep('x', 20 << 20) end)", id: "vstep", limits: nil)
        #expect(result.name == "InvalidResult")
        #expect(result.message.hasPrefix("flow.step 'big' returned more than 16320 KiB, more than one journal record holds"))
        let body = try await contained("return string.rep('x', 20 << 20)", id: "vbody", limits: nil)
        #expect(body.name == "InvalidResult")
        #expect(body.message.hasPrefix("the workflow returned more than"))
        let args = try await contained("flow.exec{ cmd = { 'echo', string.rep('x', 20 << 20) } }", id: "vargs", limits: nil)
        #expect(args.message.hasPrefix("vargs.lua:1: bad argument #1 to 'flow.exec' (its arguments are more than 16320 KiB"))
        let stepName = try await contained("flow.step(string.rep('n', 4096), function() end)", id: "vname")
        #expect(stepName.message == "vname.lua:1: bad argument #1 to 'flow.step' (a name is at most 1024 bytes, got 4096)")
        let signal = try await contained("flow.signal(string.rep('n', 4096))", id: "vsig")
        #expect(signal.message == "vsig.lua:1: bad argument #1 to 'flow.signal' (a name is at most 1024 bytes, got 4096)")
    }

    @Test func aNativeStepsHugeResultFailsTheStep() async throws {
        var registry = StepRegistry.standard
        registry.register(BigPlugin())
        let e = try await contained("require('flow.big').make{ bytes = 20 << 20 }", id: "vnat", limits: nil, registry: registry)
        #expect(e.name == "ResultTooLarge")
        #expect(e.message.hasPrefix("big.make returned more than 16320 KiB"))
        // flow.exec keeps up to 16 MiB of each stream: both full is more than a record holds.
        let exec = try await contained(#"""
            flow.exec{ cmd = { "sh", "-c", "head -c 9000000 /dev/zero | tr '\\0' x; head -c 9000000 /dev/zero | tr '\\0' y >&2" },
                       output_limit = 16777216 }
            """#, id: "vexec", limits: nil)
        #expect(exec.name == "ResultTooLarge")
        #expect(exec.message.hasPrefix("flow.exec returned more than 16320 KiB"))
    }
}

/// Returns as many bytes as asked, or fails with a message that long.
struct BigPlugin: StepPlugin {
    struct Input: Decodable, Sendable {
        var bytes: Int
        var fail: Bool?
    }

    let name = "big"
    let summary = "test plugin: large results"
    var functions: [StepFunction] {
        [StepFunction.make("make", summary: "a large result", idempotent: true, input: Input.self) { input, _ -> String in
            let text = String(repeating: "b", count: input.bytes)
            if input.fail == true { throw StepFailure("Huge", text, retryable: false) }
            return text
        }]
    }
}
