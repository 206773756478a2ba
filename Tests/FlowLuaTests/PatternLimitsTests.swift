import Testing
@testable import FlowLua

/// Patterns that backtrack for ever in Lua's own library end at the sandbox's instruction limit
/// or deadline, wherever the call comes from, and the interpreter stays usable.
@Suite struct PatternLimitsTests {
    static let limits = LuaLimits(memoryBytes: 64 << 20, instructions: 5_000_000)

    /// Each of these runs for hours (or for ever) in Lua 5.4's string library.
    static let runaways: [(String, String)] = [
        ("method find", #"return ("a"):rep(400):find((".-"):rep(4) .. "b")"#),
        ("string.find", #"return string.find(("a"):rep(400), (".-"):rep(4) .. "b")"#),
        ("match", #"return ("a"):rep(400):match((".*"):rep(4) .. "b")"#),
        ("gmatch", #"for m in ("a"):rep(400):gmatch((".-"):rep(4) .. "b") do end"#),
        ("gsub", #"return ("a"):rep(400):gsub(("(.-)"):rep(4) .. "b", "%1")"#),
        ("method via index", #"local s = ("a"):rep(400) return s.find(s, (".-"):rep(5) .. "b")"#),
        ("in pcall", #"return pcall(string.find, ("a"):rep(400), (".-"):rep(4) .. "b")"#),
        ("pcall in a loop", #"while true do pcall(string.match, ("a"):rep(400), (".-"):rep(4) .. "b") end"#),
        ("in a gsub callback", #"return ("ab"):gsub(".", function() return ("a"):rep(400):find((".-"):rep(4) .. "b") end)"#),
        ("in a coroutine", #"return coroutine.wrap(function() return ("a"):rep(400):find((".-"):rep(4) .. "b") end)()"#),
        ("plain find, long needle", #"return ("a"):rep(1 << 20):find(("a"):rep(1 << 16) .. "b", 1, true)"#),
        ("literal needle", #"return ("a"):rep(1 << 20):find(("a"):rep(1 << 16) .. "b")"#),
        ("%b scans", #"return ("("):rep(1 << 20):find("%b()")"#),
        ("back-reference", #"return ("a"):rep(1 << 16):find("(.*)%1b")"#),
        ("frontier", #"return ("a"):rep(1 << 16):find("%f[a]" .. (".-"):rep(3) .. "b")"#),
    ]

    func sandboxed(_ limits: LuaLimits = limits) throws -> (LuaState, LuaRef) {
        let lua = try LuaState(limits: limits)
        return (lua, try lua.makeSandbox())
    }

    @Test func runawayPatternsEndAtTheInstructionLimit() throws {
        for (name, source) in Self.runaways {
            let (lua, env) = try sandboxed()
            let f = try lua.load(source, chunkName: "@p.lua", environment: env)
            let start = ContinuousClock.now
            guard case .failed(let e) = LuaThread(state: lua, function: f).resume() else {
                Issue.record("\(name): not stopped")
                continue
            }
            #expect(e.kind == .instructionLimit, "\(name): \(e.message)")
            // (A limit inside a coroutine the script made surfaces after that coroutine is gone,
            // with no line to name: as for an endless loop there.)
            if name != "in a coroutine" { #expect(e.message.hasPrefix("p.lua:"), "\(name): \(e.message)") }
            #expect(e.message.hasSuffix("instruction limit exceeded: the script ran more than 5000000 instructions"), "\(name): \(e.message)")
            // Lua's own library would run for hours; 5,000,000 steps take milliseconds.
            #expect(ContinuousClock.now - start < .seconds(10), "\(name)")
            // The interpreter is still fine for the next script.
            lua.resetLimits()
            let next = try lua.load(#"return ("key=value"):match("(%w+)=(%w+)")"#, chunkName: "@n.lua", environment: env)
            #expect(try lua.call(next) == ["key", "value"], "\(name)")
        }
    }

    @Test func onTheMainThreadTheLimitIsAnError() throws {
        let (lua, env) = try sandboxed()
        let f = try lua.load(Self.runaways[0].1, chunkName: "@main.lua", environment: env)
        #expect { try lua.call(f) } throws: { error in
            (error as? LuaError)?.kind == .instructionLimit
        }
    }

    @Test func aDeadlineEndsAPatternWithACatchableTimeout() throws {
        let (lua, env) = try sandboxed(LuaLimits(memoryBytes: 64 << 20))
        let f = try lua.load(#"""
            local ok, err = pcall(string.find, ("a"):rep(400), (".-"):rep(4) .. "b")
            return ok, err
            """#, chunkName: "@t.lua", environment: env)
        lua.setDeadline(secondsFromNow: 0.2)
        let start = ContinuousClock.now
        let out = try lua.call(f)
        lua.setDeadline(secondsFromNow: nil)
        #expect(out == [false, "timed out"])
        #expect(ContinuousClock.now - start < .seconds(10))
        // Uncaught, in a coroutine: the error names the script's line.
        let g = try lua.load(#"local s = ("a"):rep(400)\#nreturn s:gsub((".-"):rep(4) .. "b", "")"#, chunkName: "@u.lua", environment: env)
        lua.setDeadline(secondsFromNow: 0.2)
        defer { lua.setDeadline(secondsFromNow: nil) }
        guard case .failed(let e) = LuaThread(state: lua, function: g).resume() else {
            Issue.record("not stopped")
            return
        }
        #expect(e.message == "u.lua:2: timed out")
    }

    /// The host's string table is the one the string metatable indexes and the one `require`
    /// knows: all three hold the bounded functions, so no path leads to Lua's originals.
    @Test func noPathLeadsToTheUnboundedOriginals() throws {
        let lua = try LuaState(limits: Self.limits)
        _ = try lua.makeSandbox()
        for access in ["string.find", "package.loaded.string.find", "debug.getmetatable('').__index.find"] {
            let f = try lua.load(#"return \#(access)(("a"):rep(400), (".-"):rep(4) .. "b")"#, chunkName: "@host.lua")
            guard case .failed(let e) = LuaThread(state: lua, function: f).resume() else {
                Issue.record("\(access): not stopped")
                continue
            }
            #expect(e.kind == .instructionLimit, "\(access)")
            lua.resetLimits()
        }
        let same = try lua.load(#"""
            local mt = debug.getmetatable("").__index
            return mt == string and mt.match == string.match and mt.gmatch == string.gmatch and mt.gsub == string.gsub
            """#, chunkName: "@host.lua")
        #expect(try lua.call(same) == [true])
    }

    @Test func aPatternTooComplexIsLuasError() throws {
        let (lua, env) = try sandboxed()
        let f = try lua.load(#"return pcall(string.match, ("a"):rep(300), ("a?"):rep(300))"#, chunkName: "@c.lua", environment: env)
        #expect(try lua.call(f) == [false, "pattern too complex"])
    }

    /// Ordinary matching is charged too, a step per character tried, so the budget counts it.
    @Test func matchingIsChargedToTheBudget() throws {
        let (lua, env) = try sandboxed(LuaLimits(memoryBytes: 64 << 20, instructions: 1_000_000_000))
        let s = try lua.load(#"local s = ("ab "):rep(100000) return 1"#, chunkName: "@s.lua", environment: env)
        _ = try lua.call(s)
        let before = lua.limitsPointer.pointee.budget
        let f = try lua.load(#"return select(2, ("ab "):rep(100000):gsub("%a+", "x"))"#, chunkName: "@g.lua", environment: env)
        #expect(try lua.call(f) == [100_000])
        let spent = before - lua.limitsPointer.pointee.budget
        // 300,000 starts and 200,000 more letters; the few VM instructions are noise.
        #expect(spent > 500_000 && spent < 2_000_000, "spent \(spent)")
    }
}
