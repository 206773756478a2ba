import Testing
@testable import FlowLua

/// The in-place argument readers a replayed step uses (`string`, `isNil`, `isEmptyTable`, the
/// `.three` answer) give what the `LuaValue` conversion gives, on every kind of argument.
@Suite struct LuaCallArgumentTests {
    /// Calls a host function with each argument list built by `source` and returns what it saw.
    func seen<T>(_ source: String, _ read: @escaping (LuaCall) throws -> T) throws -> [T] {
        let lua = try LuaState()
        var out: [T] = []
        let host = lua.makeHostFunction(name: "probe") { call in
            out.append(try read(call))
            return .values([])
        }
        let f = try lua.load(source, chunkName: "=probe")
        try lua.call(f, [.ref(host)])
        return out
    }

    @Test func aStringArgumentReadsAsItsValueWould() throws {
        let source = #"""
            local probe = ...
            probe("s") probe("s") probe("héllo") probe("") probe("\xff\xfeab") probe("\xff\xfeab")
            probe(string.rep("long name ", 10)) probe(string.rep("long name ", 10)) probe(string.rep("x", 300))
            probe("s\0t") probe(12) probe(1.5) probe(true) probe(nil) probe() probe({}) probe({ "s" }) probe(print)
            probe("sa") probe("sb") probe("s")
            """#
        let pairs = try seen(source) { call in
            (call.string(1), call.typeName(1) == "function" ? nil : try call.value(1).stringValue)
        }
        #expect(pairs.count == 21)
        for (i, (fast, slow)) in pairs.enumerated() {
            #expect(fast == slow, "probe #\(i + 1): \(String(describing: fast)) against \(String(describing: slow))")
        }
        #expect(pairs[4].0 == "\u{FFFD}\u{FFFD}ab")
        #expect(pairs[9].0?.utf8.count == 3)
    }

    @Test func stringsOfTheSameBytesAreEqualAndOthersAreNot() throws {
        // The last string is given back for the same bytes: never for different bytes of the same length.
        let names = ["step-a", "step-a", "step-b", "step-a", "\u{e9}t\u{e9}", "\u{e9}t\u{e9}", "xxxxx", "step-b"]
        let source = "local probe = ...\n" + names.map { "probe(\"\($0)\")" }.joined(separator: " ")
        let got = try seen(source) { $0.string(1) }
        #expect(got == names)
    }

    @Test func nilAndEmptyTablesAreToldApartFromEverythingElse() throws {
        let source = """
            local probe = ...
            probe(nil) probe() probe({}) probe({ retry = 1 }) probe({ 1 }) probe(setmetatable({}, { __index = { x = 1 } }))
            probe(false) probe(0) probe("") probe(print)
            """
        let got = try seen(source) { call in
            (call.isNil(1), call.isEmptyTable(1), call.typeName(1) == "function" ? LuaValue?.none : try call.value(1))
        }
        let expected: [(Bool, Bool)] = [
            (true, false), (true, false), (false, true), (false, false), (false, false), (false, true),
            (false, false), (false, false), (false, false), (false, false),
        ]
        #expect(got.count == expected.count)
        for (i, (g, e)) in zip(got, expected).enumerated() {
            #expect(g.0 == e.0 && g.1 == e.1, "probe #\(i + 1)")
            // The same answers as the LuaValue conversion, where there is one.
            if let v = g.2 {
                #expect(v.isNil == g.0, "probe #\(i + 1)")
                #expect((v == .table([:])) == g.1, "probe #\(i + 1)")
            }
        }
    }

    @Test func readingArgumentsLeavesTheStackAsItWas() throws {
        let got = try seen("local probe = ...\nprobe('a', {}, { x = 1 }, nil)") { call -> [Int] in
            var tops = [call.count]
            _ = call.string(1); tops.append(call.count)
            _ = call.isEmptyTable(2); tops.append(call.count)
            _ = call.isEmptyTable(3); tops.append(call.count)
            _ = call.isNil(4); tops.append(call.count)
            return tops
        }
        #expect(got == [[4, 4, 4, 4, 4]])
    }

    @Test func threeValuesReturnAsValuesWould() throws {
        let lua = try LuaState()
        let three = lua.makeHostFunction(name: "three") { _ in .three("replay", true, ["k": 1]) }
        let values = lua.makeHostFunction(name: "values") { _ in .values(["replay", true, ["k": 1]]) }
        let f = try lua.load("local f = ... return f()", chunkName: "=t")
        let a = try lua.call(f, [.ref(three)])
        #expect(a == ["replay", true, ["k": 1]])
        #expect(a == (try lua.call(f, [.ref(values)])))
    }

    @Test func bytesAreAStringExactlyWhenTheyAreUTF8() {
        let cases: [[UInt8]] = [
            [], Array("plain".utf8), Array("héllo wörld, ünïcode: 🚀".utf8), [0xff], [0x61, 0xc3], [0xc3, 0x28],
            [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbf, 0xbd], [0x00, 0x61], Array(repeating: 0x41, count: 5000),
            Array(repeating: 0x41, count: 5000) + [0x80],
        ]
        for bytes in cases {
            let expected: LuaValue = String(validating: bytes, as: UTF8.self).map { .string($0) } ?? .bytes(bytes)
            #expect(LuaValue.fromBytes(bytes) == expected, "\(bytes.prefix(8))")
            #expect(bytes.withUnsafeBytes { LuaValue.fromBytes($0) } == expected, "\(bytes.prefix(8))")
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                [UInt8.random(in: 0...0x7f, using: &rng), UInt8.random(in: 0x80...0xff, using: &rng)].randomElement(using: &rng)!
            }
            let expected: LuaValue = String(validating: bytes, as: UTF8.self).map { .string($0) } ?? .bytes(bytes)
            #expect(bytes.withUnsafeBytes { LuaValue.fromBytes($0) } == expected, "\(bytes)")
        }
    }
}
