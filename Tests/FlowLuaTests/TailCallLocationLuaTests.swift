import Testing
@testable import FlowLua

/// `LuaCall.location` and `LuaThread.location` when a tail call has removed the caller's frame:
/// a wrapper chunk ("=wrap") stands for the engine's prelude, a script chunk ("@s.lua") calls it.
@Suite struct TailCallLocationLuaTests {
    /// A state whose wrapper `step(name)` asks the host where it was called from; `yields`: the
    /// host yields that location instead of returning it (for `LuaThread.location`).
    func state(yields: Bool = false) throws -> (LuaState, step: LuaRef) {
        let lua = try LuaState()
        lua.wrapperSources = ["wrap"]
        let whereHost = lua.makeHostFunction(name: "where") { call in
            let place = LuaValue.string(call.location(level: 1, skipping: call.state.wrapperSources) ?? "nil")
            return yields ? .yield([place]) : .values([place])
        }
        let wrapper = try lua.load("""
            local where = ...
            return function(name)
              local place = where(name)
              return place
            end
            """, chunkName: "=wrap")
        let step = try #require(try lua.callForRefs(wrapper, [.ref(whereHost)]).first)
        return (lua, step)
    }

    /// Runs `source` (chunk "@s.lua", given `step`) as a coroutine's body, as the engine runs a workflow.
    func located(_ source: String) throws -> LuaValue? {
        let (lua, step) = try state()
        let body = try lua.load(source, chunkName: "@s.lua")
        let thread = LuaThread(state: lua, function: body)
        guard case .returned(let out) = thread.resume([.ref(step)]) else { Issue.record("the body did not return"); return nil }
        return out.first
    }

    @Test func aTopLevelTailCallIsBlamedOnTheChunkThatMadeIt() throws {
        #expect(try located("local step = ...\nreturn step('x')") == "s.lua:(...tail calls...)")
        // Also through a chain of tail calls, and inside a top-level block.
        #expect(try located("""
            local step = ...
            local function go() return step('x') end
            if true then return go() end
            """) == "s.lua:(...tail calls...)")
    }

    @Test func aTailCallInsideAFunctionStillGivesItsCallersLine() throws {
        #expect(try located("""
            local step = ...
            local function deploy() return step('x') end
            local r = deploy()
            return r
            """) == "s.lua:3")
    }

    @Test func callsThatAreNotTailCallsAreUnchanged() throws {
        #expect(try located("local step = ...\nlocal r = step('x')\nreturn r") == "s.lua:2")
        // A tail call of a C function keeps the caller's frame: its line is known.
        #expect(try located("local step = ...\nreturn select(2, pcall(step, 'x'))") == "s.lua:2")
    }

    @Test func onlyWrappersWithoutATailCallGiveTheOutermostWrapperAsBefore() throws {
        let (lua, step) = try state()
        let handler = try lua.load("local step = ...\nreturn function() local r = step('x') return r end", chunkName: "=wrap")
        let fn = try #require(try lua.callForRefs(handler, [.ref(step)]).first)
        guard case .returned(let out) = LuaThread(state: lua, function: fn).resume() else { Issue.record("no return"); return }
        #expect(out == ["wrap:2"])
        // A wrapper that began the coroutine and tail-called: the line is lost, the chunk is not.
        let tail = try lua.load("local step = ...\nreturn function() return step('x') end", chunkName: "=wrap")
        let tailFn = try #require(try lua.callForRefs(tail, [.ref(step)]).first)
        guard case .returned(let out2) = LuaThread(state: lua, function: tailFn).resume() else { Issue.record("no return"); return }
        #expect(out2 == ["wrap:(...tail calls...)"])
    }

    @Test func outsideALuaThreadNothingIsKnownOfTheTailCaller() throws {
        let (lua, step) = try state()
        let body = try lua.load("local step = ...\nreturn step('x')", chunkName: "@s.lua")
        #expect(try lua.call(body, [.ref(step)]) == ["wrap:3"])
    }

    @Test func aThreadStoppedUnderATailCallIsLocatedTheSameWay() throws {
        let (lua, step) = try state(yields: true)
        let body = try lua.load("local step = ...\nreturn step('x')", chunkName: "@s.lua")
        let thread = LuaThread(state: lua, function: body)
        guard case .yielded(let out) = thread.resume([.ref(step)]) else { Issue.record("no yield"); return }
        #expect(out == ["s.lua:(...tail calls...)"])
        #expect(thread.location == "s.lua:(...tail calls...)")
    }
}
