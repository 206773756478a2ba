import Testing
import FlowLua
@testable import FlowEngine

@Suite struct ParamsTests {
    func decls(_ spec: LuaValue) throws -> [String: Params.Declaration] { try Params.parse(spec) }

    @Test func valuesAreTypedByTheirDefaults() throws {
        let d = try decls(["n": ["default": 3], "f": ["default": 1.5], "b": ["default": false], "s": ["default": "x"], "t": ["default": ["a": 1]]])
        let v = try Params.resolve(d, raw: ["n": "42", "f": "2", "b": "yes", "s": "hello", "t": "{\"k\": [1, 2.5]}"])
        #expect(v == ["n": 42, "f": 2, "b": true, "s": "hello", "t": ["k": [1, 2.5]]])
        #expect(try Params.resolve(d, raw: [:]) == ["n": 3, "f": 1.5, "b": false, "s": "x", "t": ["a": 1]])
    }

    @Test func jsonValuesFromAParamsFileKeepTheirTypes() throws {
        let d = try decls(["n": ["default": 3], "r": ["required": true, "type": "number"]])
        #expect(try Params.resolve(d, raw: ["n": 7, "r": 0.25]) == ["n": 7, "r": 0.25])
        #expect(try Params.resolve(d, raw: ["n": .double(8.0), "r": 1]) == ["n": 8, "r": 1])
    }

    @Test func problemsNameTheParameterAndHowToFixIt() throws {
        let d = try decls(["n": ["default": 3], "name": ["required": true]])
        func message(_ raw: [String: LuaValue]) -> String {
            do { _ = try Params.resolve(d, raw: raw); return "no error" } catch { return "\(error)" }
        }
        #expect(message(["n": "1"]) == "missing required parameter 'name' (pass --param name=VALUE)")
        #expect(message(["name": "a", "n": "abc"]) == "parameter 'n': an integer is expected, got 'abc'")
        #expect(message(["name": "a", "x": "1"]) == "unknown parameter 'x' (the workflow declares: n, name)")
        #expect(message(["name": "a", "n": 1.5]) == "parameter 'n': an integer is expected, got float")
    }

    @Test func rawInputParsesPairsAndFiles() throws {
        #expect(try Params.raw(pairs: ["a=1", "b=x=y", "c="], file: nil) == ["a": "1", "b": "x=y", "c": ""])
        #expect(throws: (any Error).self) { try Params.raw(pairs: ["novalue"], file: nil) }
        #expect(throws: (any Error).self) { try Params.raw(pairs: [], file: "/nonexistent.json") }
    }
}
