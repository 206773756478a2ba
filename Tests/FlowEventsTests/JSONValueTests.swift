import Testing
import FlowEvents

struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONValue.parse(#" {"s": "a\"b\\c\u00e9\ud83d\ude80", "n": -1.5e3, "t": true, "f": false, "z": null, "a": [1, [2]], "o": {}} "#)
        #expect(v["s"] == .string("a\"b\\cé🚀"))
        #expect(v["n"] == .number(JSONNumber(literal: "-1.5e3")!))
        #expect(v["t"] == true)
        #expect(v["f"] == false)
        #expect(v["z"] == .null)
        #expect(v["a"] == [1, [2]])
        #expect(v["o"] == .object([:]))
    }

    @Test func numbersKeepTheirLiteralAndExactValue() throws {
        let n = try #require(JSONNumber(literal: "3.0"))
        #expect(n.literal == "3.0")
        #expect(n.micros == 3_000_000)
        #expect(n == JSONNumber(3))
        #expect(JSONNumber(literal: "3e0")?.micros == 3_000_000)
        #expect(JSONNumber(literal: "0.000001")?.micros == 1)
        #expect(JSONNumber(literal: "0.0000001")?.micros == nil)  // more than six decimals
        #expect(JSONNumber(literal: "5e9")?.micros == 5_000_000_000_000_000)
        #expect(JSONNumber(literal: "5000000000.000001")?.micros == nil)  // beyond 5e9
        #expect(JSONNumber(literal: "123456789012")?.micros == nil)
        #expect(JSONNumber(literal: "1e400")?.micros == nil)
        #expect(JSONNumber(literal: "0e400")?.micros == 0)
        #expect(JSONNumber(literal: "100000000000000000000e-20")?.micros == 1_000_000)
        for bad in ["01", "1.", ".5", "+1", "1e", "--1", "0x10", "NaN", ""] {
            #expect(JSONNumber(literal: bad) == nil, "\(bad)")
        }
    }

    @Test func booleansAreNotNumbers() throws {
        // JSONSerialization would hand back NSNumber for both; here they stay apart.
        let v = try JSONValue.parse(#"[true, 1, 1.0]"#)
        #expect(v == [.bool(true), 1, .number(JSONNumber(literal: "1.0")!)])
        #expect(v.arrayValue?[0] != v.arrayValue?[1])
    }

    @Test func rejectsInvalidJSON() {
        for bad in ["", "{", "[1,]", #"{"a" 1}"#, "tru", #""\x""#, "\"a\u{01}\"", #""\ud800""#, "1 2", "{'a': 1}", "[1] x"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(utf8: [0x22, 0xFF, 0x22]) }  // invalid UTF-8
    }

    @Test func duplicateKeysKeepTheLast() throws {
        #expect(try JSONValue.parse(#"{"a": 1, "a": 2}"#)["a"] == 2)
    }

    @Test func writesCompactSortedJSON() throws {
        let v = try JSONValue.parse(#"{"b": [1.50, null, "x\n"], "a": {"c": true}}"#)
        #expect(v.description == #"{"a":{"c":true},"b":[1.50,null,"x\n"]}"#)
        #expect(try JSONValue.parse(v.description) == v)
    }

    @Test func aByteOrderMarkIsTolerated() throws {
        #expect(try JSONValue.parse(utf8: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
    }
}
