import Testing
@testable import FlowLua

@Suite struct LuaBridgeTests {
    @Test func valuesRoundTripThroughLua() throws {
        let lua = try LuaState()
        let identity = try lua.load("return ...", chunkName: "=id")
        let values: [LuaValue] = [
            .nil, true, false, 0, -7, .int(Int64.max), 1.5, .double(2.0), "héllo", .bytes([0xff, 0x00, 0xfe]),
            ["a", 1, 2.5], ["k": ["nested": [1, 2]], "b": false], .table([:]),
        ]
        for v in values {
            let out = try lua.call(identity, [.value(v)])
            #expect(out == [v], "round trip of \(v)")
        }
    }

    @Test func integersAndFloatsStayDistinct() throws {
        let lua = try LuaState()
        let f = try lua.load("return 3, 3.0, 2^53, 7 // 2, 7 / 2", chunkName: "=n")
        #expect(try lua.call(f) == [.int(3), .double(3.0), .double(9007199254740992.0), .int(3), .double(3.5)])
    }

    @Test func tablesThatAreNotValuesAreRefusedWithThePath() throws {
        let lua = try LuaState()
        let cases: [(String, String)] = [
            ("return { a = { b = print } }", "a function cannot be passed to or stored by flow (at 'a.b')"),
            ("return { 1, 2, x = 3 }", "table mixes a list part and named keys (x)"),
            ("return { [1] = 1, [3] = 3 }", "list has a hole at index 2"),
            ("return { [true] = 1 }", "table keys must be strings or a sequence 1..n, found a boolean key"),
            ("local t = {} t.t = t return t", "nested more than 64 levels deep"),
        ]
        for (source, expected) in cases {
            let f = try lua.load(source, chunkName: "=t")
            #expect(throws: LuaError.self) { try lua.call(f) }
            do { try lua.call(f) } catch let e as LuaError {
                #expect(e.message.contains(expected), "\(e.message)")
            }
        }
    }

    @Test func hostErrorsBlameTheScriptLineAndNeverLongjmpThroughSwift() throws {
        let lua = try LuaState()
        final class Tracker { var deinits = 0 }
        final class Guarded { let t: Tracker; init(_ t: Tracker) { self.t = t }; deinit { t.deinits += 1 } }
        let tracker = Tracker()
        let host = lua.makeHostFunction(name: "route53.weight") { call in
            let guarded = Guarded(tracker)
            defer { _ = guarded }
            if call.typeName(1) != "number" {
                throw LuaHostError("bad argument #1 to '\(call.functionName)' (number expected, got \(call.typeName(1)))")
            }
            return .values([try call.value(1)])
        }
        let script = try lua.load("local w = ...\nlocal ok, err = pcall(function() return w('x') end)\nreturn err", chunkName: "@canary.lua")
        for _ in 0..<1000 {
            let out = try lua.call(script, [.ref(host)])
            #expect(out == [.string("canary.lua:2: bad argument #1 to 'route53.weight' (number expected, got string)")])
        }
        #expect(tracker.deinits == 1000)
    }

    @Test func syntaxErrorsNameFileAndLine() throws {
        let lua = try LuaState()
        do {
            _ = try lua.load("local x = 1\nlocal = 2", chunkName: "@workflows/bad.lua")
            Issue.record("expected a syntax error")
        } catch let e as LuaError {
            #expect(e.kind == .syntax)
            #expect(e.message.hasPrefix("workflows/bad.lua:2:"))
            #expect(e.location == "workflows/bad.lua:2")
        }
    }

    @Test func binaryChunksAreRefused() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.self) { _ = try lua.load([0x1b, 0x4c, 0x75, 0x61, 0x54, 0x00], chunkName: "=bin") }
    }

    @Test func hostFunctionsYieldAndResumeWithResultsOrErrors() throws {
        let lua = try LuaState()
        let ask = lua.makeHostFunction(name: "ask") { call in .yield([try call.value(1)]) }
        let body = try lua.load("""
            local ask = ...
            local a = ask("first")
            local ok, err = pcall(ask, "second")
            return a, ok, err
            """, chunkName: "@wf.lua")
        let thread = LuaThread(state: lua, function: body)
        guard case .yielded(let first) = thread.resume([.ref(ask)]) else { Issue.record("no yield"); return }
        #expect(first == ["first"])
        guard case .yielded(let second) = thread.resume([.value(true), .value(42)]) else { Issue.record("no yield"); return }
        #expect(second == ["second"])
        guard case .returned(let out) = thread.resume([.value(false), .value("Throttling: slow down")]) else {
            Issue.record("no return"); return
        }
        #expect(out == [42, false, "Throttling: slow down"])
    }

    @Test func errorObjectsThatAreNotStringsAreRendered() throws {
        let lua = try LuaState()
        let f = try lua.load("error({ name = 'Throttling', message = 'Rate exceeded' })", chunkName: "=e")
        do { try lua.call(f); Issue.record("expected error") } catch let e as LuaError {
            #expect(e.kind == .errorObject)
            #expect(e.message == "Throttling: Rate exceeded")
            #expect(e.value?["name"] == "Throttling")
        }
        let g = try lua.load("error(nil)", chunkName: "=e")
        do { try lua.call(g); Issue.record("expected error") } catch let e as LuaError {
            #expect(e.message == "(error object is a nil value)")
        }
    }
}
