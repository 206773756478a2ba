import Testing
@testable import FlowLua

@Suite struct LuaLimitsTests {
    @Test func infiniteLoopHitsTheInstructionLimit() throws {
        let lua = try LuaState(limits: LuaLimits(instructions: 1_000_000))
        let f = try lua.load("local n = 0\nwhile true do n = n + 1 end", chunkName: "@loop.lua")
        let thread = LuaThread(state: lua, function: f)
        guard case .failed(let e) = thread.resume() else { Issue.record("loop was not stopped"); return }
        #expect(e.kind == .instructionLimit)
        #expect(e.message.hasPrefix("loop.lua:"))
        #expect(e.message.contains("instruction limit exceeded: the script ran more than 1000000 instructions"))
    }

    @Test func pcallCannotSwallowTheInstructionLimit() throws {
        let lua = try LuaState(limits: LuaLimits(instructions: 200_000))
        let f = try lua.load("while true do pcall(function() while true do end end) end", chunkName: "@p.lua")
        let thread = LuaThread(state: lua, function: f)
        guard case .failed(let e) = thread.resume() else { Issue.record("not stopped"); return }
        #expect(e.kind == .instructionLimit)
    }

    @Test func memoryBombHitsTheMemoryCap() throws {
        let lua = try LuaState(limits: LuaLimits(memoryBytes: 8 << 20))
        let f = try lua.load("local t = {}\nfor i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end", chunkName: "@bomb.lua")
        let thread = LuaThread(state: lua, function: f)
        guard case .failed(let e) = thread.resume() else { Issue.record("not stopped"); return }
        #expect(e.kind == .memoryLimit)
        #expect(e.message.contains("memory limit exceeded: the script used more than 8 MiB"))
        #expect(lua.peakMemory <= 8 << 20)
    }

    @Test func pcallCannotSwallowTheMemoryCap() throws {
        let lua = try LuaState(limits: LuaLimits(memoryBytes: 4 << 20))
        let f = try lua.load("""
            local keep = {}
            while true do pcall(function() keep[#keep + 1] = string.rep('y', 65536) .. #keep end) end
            """, chunkName: "@p.lua")
        let thread = LuaThread(state: lua, function: f)
        guard case .failed(let e) = thread.resume() else { Issue.record("not stopped"); return }
        #expect(e.kind == .memoryLimit)
    }

    @Test func deadlineRaisesACatchableTimeout() throws {
        let lua = try LuaState()
        let f = try lua.load("local ok, err = pcall(function() while true do end end)\nreturn ok, err", chunkName: "@t.lua")
        lua.setDeadline(secondsFromNow: 0.05)
        defer { lua.setDeadline(secondsFromNow: nil) }
        let out = try lua.call(f)
        #expect(out.first == false)
        #expect(out.last?.stringValue?.hasSuffix("timed out") == true)
    }
}
