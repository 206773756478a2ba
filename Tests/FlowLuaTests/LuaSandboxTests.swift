import Testing
@testable import FlowLua

@Suite struct LuaSandboxTests {
    func run(_ source: String) throws -> [LuaValue] {
        let lua = try LuaState()
        let env = try lua.makeSandbox()
        let f = try lua.load(source, chunkName: "@wf.lua", environment: env)
        return try lua.call(f)
    }

    func error(of source: String) throws -> String {
        do { _ = try run(source) } catch let e as LuaError { return e.message }
        return "no error"
    }

    @Test func withheldFacilitiesFailWithAClearMessageAtTheScriptLine() throws {
        #expect(try error(of: "\nio.open('/etc/passwd')") == "wf.lua:2: io is not available in a sandboxed script")
        #expect(try error(of: "os.execute('id')") == "wf.lua:1: os.execute is not available in a sandboxed script")
        #expect(try error(of: "os.exit(1)") == "wf.lua:1: os.exit is not available in a sandboxed script")
        #expect(try error(of: "return debug.getinfo(1)") == "wf.lua:1: debug is not available in a sandboxed script")
        #expect(try error(of: "return package.loadlib('x', 'y')") == "wf.lua:1: package is not available in a sandboxed script")
        #expect(try error(of: "local t = os.clock()") == "wf.lua:1: os.clock is not available in a sandboxed script")
        #expect(try error(of: "local r = math.random()") == "wf.lua:1: math.random is not available in a sandboxed script")
        #expect(try error(of: "local d = string.dump(print)") == "wf.lua:1: string.dump is not available in a sandboxed script")
    }

    @Test func pureLibrariesWork() throws {
        #expect(try run("return string.format('%d-%s', 4, ('ab'):upper()), math.max(1, 9), #table.concat({'a','b'})") == ["4-AB", 9, 2])
    }

    @Test func loadIsTextOnlyAndSandboxed() throws {
        #expect(try run("return load('return 1 + 1')()") == [2])
        #expect(try error(of: "return load('x', 'n', 'b')").contains("binary chunks are not allowed"))
        #expect(try run("local f, err = load('\\27Lua'); return f == nil, err:find('binary') ~= nil") == [true, true])
        #expect(try error(of: "return load('return io')()").contains("io is not available"))
    }

    @Test func theEnvironmentAndStringMetatableAreProtected() throws {
        #expect(try error(of: "setmetatable(_G, nil)").contains("cannot change a protected metatable"))
        #expect(try run("return getmetatable('')") == [false])
    }

    @Test func sandboxCannotReachTheHostGlobals() throws {
        let lua = try LuaState()
        let env = try lua.makeSandbox()
        let f = try lua.load("string.upper = nil; return rawget(_G, 'require') == nil", chunkName: "=s", environment: env)
        #expect(try lua.call(f) == [true])
        // The host's own string library is untouched.
        let g = try lua.load("return string.upper('x')", chunkName: "=h")
        #expect(try lua.call(g) == ["X"])
    }
}
