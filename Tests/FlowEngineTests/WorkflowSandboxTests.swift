import Testing
import FlowLua
@testable import FlowEngine

@Suite struct WorkflowSandboxTests {
    func failure(_ source: String, limits: LuaLimits? = nil) async throws -> StepError? {
        let h = try WorkflowHarness()
        let outcome = try await h.run(h.write("w.lua", source), limits: limits)
        if case .failed(let e) = outcome { return h.local(e) }
        return nil
    }

    @Test func withheldFacilitiesSayWhatToUseInstead() async throws {
        #expect(try await failure("local t = os.clock()")?.message
            == "w.lua:1: os.clock is not available in workflows: CPU time differs on replay; use flow.now() (journaled)")
        #expect(try await failure("\nlocal f = io.open('x')")?.message
            == "w.lua:2: io is not available in workflows: what a file holds can change before a replay; use flow.exec or a plugin step")
        #expect(try await failure("os.execute('ls')")?.message.contains("use flow.exec{ cmd = {...} }") == true)
        #expect(try await failure("math.randomseed()")?.message.contains("needs a seed in workflows") == true)
    }

    @Test func stepsDoNotNestAndStayInTheWorkflowsOwnCoroutine() async throws {
        #expect(try await failure("flow.step('outer', function() flow.sleep(1) end)")?.message
            == "w.lua:1: flow.sleep cannot be called inside flow.step 'outer': steps do not nest")
        let co = try await failure("local c = coroutine.wrap(function() flow.sleep(0) end)\nc()")
        #expect(co?.message.contains("cannot be called from a coroutine the workflow created") == true)
        let sort = try await failure("local t = {3, 1, 2}\ntable.sort(t, function(a, b) flow.sleep(0) return a < b end)")
        #expect(sort?.message.contains("cannot be called here") == true)
    }

    @Test func runawayScriptsEndWithAClearError() async throws {
        let loop = try await failure("while true do end", limits: LuaLimits(memoryBytes: 64 << 20, instructions: 1_000_000))
        #expect(loop?.name == "InstructionLimit")
        #expect(loop?.message.contains("instruction limit exceeded") == true)
        let bomb = try await failure("local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(1024) .. i end",
                                     limits: LuaLimits(memoryBytes: 16 << 20))
        #expect(bomb?.name == "MemoryLimit")
    }

    @Test func aStepTimeoutIsRetriedThenFails() async throws {
        let e = try await failure("""
            flow.step("spin", function() while true do end end, { timeout = 0.05, retry = { max_attempts = 2, initial = 0, jitter = "none" } })
            """)
        #expect(e?.name == "Timeout")
        #expect(e?.message.contains("ran longer than its timeout of 0.05 s") == true)
    }

    @Test func parameterProblemsStopBeforeAnythingIsCreated() async throws {
        let h = try WorkflowHarness()
        let script = h.write("w.lua", "local p = flow.params{ region = flow.required 'string', n = 1 }\nflow.step('a', function() end)")
        await #expect { try await h.run(script, params: ["n": "2"]) } throws: { error in
            (error as? RunError).map { h.local($0.message) } == "w.lua:1: missing required parameter 'region' (pass --param region=VALUE)"
        }
        await #expect { try await h.run(script, params: ["region": "x", "n": "two"]) } throws: { error in
            (error as? RunError).map { h.local($0.message) } == "w.lua:1: parameter 'n': an integer is expected, got 'two'"
        }
        #expect(h.home.executionIDs().isEmpty)
        let syntax = h.write("bad.lua", "local x = = 1")
        await #expect { try await h.run(syntax) } throws: { error in
            guard let e = error as? RunError else { return false }
            return e.code == .usage && h.local(e.message).hasPrefix("bad.lua:1:")
        }
        #expect(h.home.executionIDs().isEmpty)
    }
}

@Suite struct CompensationAfterLimitsTests {
    @Test func compensationStillRunsAfterTheBodyHitALimit() async throws {
        let h = try WorkflowHarness()
        let plugin = CounterPlugin()
        h.registry.register(plugin)
        let script = h.write("w.lua", """
            local c = require "flow.counter"
            flow.on_failure(function() c.set{ zone = "restore", weights = { blue = 100 } } end)
            flow.step("spin", function() while true do end end)
            """)
        let outcome = try await h.run(script, limits: LuaLimits(memoryBytes: 64 << 20, instructions: 2_000_000))
        guard case .failed(let e) = outcome else { Issue.record("\(outcome)"); return }
        #expect(e.name == "InstructionLimit")
        #expect(plugin.calls.all == ["set:restore"])
    }
}
