import Foundation
import Testing

@testable import FlowLua

private struct SetWeights: Codable, Equatable, Sendable {
    var zone: String
    var record: String
    var weights: [String: Int]
}

private enum Color: String, Codable, CaseIterable, Sendable { case blue, green }

private struct Target: Codable, Equatable, Sendable {
    var name: String
    var port: UInt16
    var color: Color
    var tags: [String]?
}

private struct Deploy: Codable, Equatable, Sendable {
    var targets: [Target]
    var primary: Target
    var ratio: Double
    var dryRun: Bool?
    var extra: LuaValue?
}

private struct Small: Codable, Equatable, Sendable { var count: UInt8 }
private struct IntBox: Codable, Equatable, Sendable { var n: Int }
private struct Cmd: Codable, Equatable, Sendable { var cmd: [String] }
private struct FloatBox: Codable, Equatable, Sendable { var f: Float }
private struct Nested: Codable, Equatable, Sendable { var weights: Weights }
private struct Weights: Codable, Equatable, Sendable { var blue: Int; var green: Int }
private struct Raw: Codable, Equatable, Sendable { var payload: LuaValue }
private enum Level: Int, Codable, CaseIterable, Sendable { case low = 1, high = 2 }

/// Reads through a nested container and validates by hand, as hand-written plugin types do.
private struct Probe: Decodable, Equatable, Sendable {
    enum Keys: String, CodingKey { case pos, x, y, level }
    var x: Int
    var level: Level?

    init(x: Int, level: Level?) {
        self.x = x
        self.level = level
    }

    init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: Keys.self)
        let pos = try outer.nestedContainer(keyedBy: Keys.self, forKey: .pos)
        x = try pos.decode(Int.self, forKey: .x)
        _ = pos.contains(.y)  // asking counts as accepting, even when the value goes unused
        level = try outer.decodeIfPresent(Level.self, forKey: .level)
        guard x >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .x, in: pos, debugDescription: "must not be negative")
        }
    }
}

private struct WantsSuper: Decodable, Sendable {
    init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: Probe.Keys.self).superDecoder()
    }
}

private func decode<T: Decodable>(_ type: T.Type, _ value: LuaValue) throws -> T {
    try LuaValueDecoder().decode(type, from: value)
}

/// Asserts the exact LuaArgumentError a decode produces.
private func expectArgumentError<T: Decodable>(
    _ type: T.Type, _ value: LuaValue, path: [String], problem: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let result = try decode(type, value)
        Issue.record("expected an error, decoded \(result)", sourceLocation: sourceLocation)
    } catch let error as LuaArgumentError {
        #expect(error == LuaArgumentError(path: path, problem: problem), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected LuaArgumentError, got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct LuaValueCodingTests {
    fileprivate let sample = Deploy(
        targets: [
            Target(name: "a", port: 80, color: .blue, tags: ["x", "y"]),
            Target(name: "b", port: 443, color: .green, tags: nil),
        ],
        primary: Target(name: "a", port: 80, color: .blue, tags: []),
        ratio: 2,
        dryRun: nil,
        extra: .bytes([0xff, 0x00])
    )

    @Test func decodesKeywordTable() throws {
        let args: LuaValue = ["zone": "Z1", "record": "app.example.com", "weights": ["blue": 90, "green": 10]]
        let decoded = try decode(SetWeights.self, args)
        #expect(decoded == SetWeights(zone: "Z1", record: "app.example.com", weights: ["blue": 90, "green": 10]))
    }

    @Test func nestedRoundTrip() throws {
        let encoded = try LuaValueEncoder().encode(sample)
        #expect(try decode(Deploy.self, encoded) == sample)
        // Nil optionals are omitted, integral Doubles stay floats, empty arrays are `{}`.
        #expect(encoded["dryRun"] == .nil)
        #expect(encoded["ratio"] == .double(2))
        #expect(encoded["primary"]["tags"] == .table([:]))
        #expect(encoded["targets"] == .array([
            ["name": "a", "port": 80, "color": "blue", "tags": ["x", "y"]],
            ["name": "b", "port": 443, "color": "green"],
        ]))
        #expect(encoded["extra"] == .bytes([0xff, 0x00]))
    }

    @Test func encodesScalarsAndCollections() throws {
        let encoder = LuaValueEncoder()
        #expect(try encoder.encode(3) == .int(3))
        #expect(try encoder.encode(UInt8(7)) == .int(7))
        #expect(try encoder.encode(3.0) == .double(3.0))
        #expect(try encoder.encode(Float(0.1)) == .double(0.1))
        #expect(try encoder.encode("s") == .string("s"))
        #expect(try encoder.encode(true) == .bool(true))
        #expect(try encoder.encode([1, 2]) == .array([1, 2]))
        #expect(try encoder.encode([Int]()) == .table([:]))
        #expect(try encoder.encode(["k": 1.5]) == .table(["k": 1.5]))
        #expect(try encoder.encode(Int?.none) == .nil)
        #expect(try encoder.encode(Color.green) == .string("green"))
        #expect(try encoder.encode(LuaValue.array([1, "x"])) == .array([1, "x"]))
    }

    @Test func encoderRefusesWhatLuaCannotHold() {
        #expect(throws: EncodingError.self) { try LuaValueEncoder().encode([1, nil, 3] as [Int?]) }
        #expect(throws: EncodingError.self) { try LuaValueEncoder().encode(UInt64.max) }
    }

    @Test func decodesScalarsAndOptionals() throws {
        #expect(try decode(Int.self, 5) == 5)
        #expect(try decode(Int32.self, .double(10.0)) == 10)
        #expect(try decode(Double.self, 5) == 5.0)
        #expect(try decode(Float.self, 1.5) == 1.5)
        #expect(try decode(String.self, "hi") == "hi")
        #expect(try decode(Bool.self, false) == false)
        #expect(try decode(Int?.self, .nil) == nil)
        #expect(try decode([Int?].self, [1, .nil, 2]) == [1, nil, 2])
        #expect(try decode(Target.self, ["name": "n", "port": 1, "color": "green", "tags": .nil]).tags == nil)
        #expect(try decode(Color.self, "blue") == .blue)
        #expect(try decode([String: [Int]].self, ["a": [1], "b": [:]]) == ["a": [1], "b": []])
    }

    @Test func emptyTableIsAnEmptyArray() throws {
        #expect(try decode([Int].self, .table([:])) == [])
        #expect(try decode(Cmd.self, ["cmd": [:]]) == Cmd(cmd: []))
    }

    @Test func luaValuePassesThroughUntouched() throws {
        let raw: LuaValue = ["a": [1, 2.5, "s"], "b": .bytes([1, 2]), "c": .double(10)]
        #expect(try decode(LuaValue.self, raw) == raw)
        #expect(try decode(Raw.self, ["payload": raw]) == Raw(payload: raw))
        #expect(try LuaValueEncoder().encode(Raw(payload: raw)) == ["payload": raw])
        #expect(try decode(LuaValue?.self, .nil) == nil)
    }

    @Test func integerAndFloatStayDistinct() throws {
        #expect(try LuaValueEncoder().encode(IntBox(n: 10)) == ["n": .int(10)])
        #expect(try LuaValueEncoder().encode(["d": 10.0]) == ["d": .double(10.0)])
        #expect(try decode(IntBox.self, ["n": .double(10.0)]) == IntBox(n: 10))
        expectArgumentError(IntBox.self, ["n": 1.5], path: ["n"], problem: "integer expected, got float 1.5")
        expectArgumentError(IntBox.self, ["n": .double(.infinity)], path: ["n"], problem: "integer expected, got float inf")
        expectArgumentError(IntBox.self, ["n": 1e20], path: ["n"], problem: "value out of range for Int: 1e+20")
    }

    @Test func typeErrorsUseLuaWording() throws {
        expectArgumentError(Nested.self, ["weights": ["blue": "x", "green": 1]],
            path: ["weights", "blue"], problem: "number expected, got string")
        expectArgumentError(FloatBox.self, ["f": true], path: ["f"], problem: "number expected, got boolean")
        expectArgumentError(Bool.self, 1, path: [], problem: "boolean expected, got number")
        expectArgumentError(String.self, 1, path: [], problem: "string expected, got number")
        expectArgumentError(Cmd.self, ["cmd": ["ls", 2]], path: ["cmd", "[2]"], problem: "string expected, got number")
        expectArgumentError(Cmd.self, ["cmd": ["ls", .bytes([0xff])]], path: ["cmd", "[2]"],
            problem: "string is not valid UTF-8")
        expectArgumentError(Cmd.self, ["cmd": "ls"], path: ["cmd"], problem: "array expected, got string")
        expectArgumentError(Cmd.self, ["cmd": ["a": 1]], path: ["cmd"], problem: "array expected, got table")
        expectArgumentError(Nested.self, ["weights": [1, 2]], path: ["weights"],
            problem: "table with named fields expected, got array")
        expectArgumentError(SetWeights.self, "x", path: [], problem: "table expected, got string")
        expectArgumentError(FloatBox.self, ["f": 1e300], path: ["f"], problem: "value out of range for Float: 1e+300")
        expectArgumentError(Color.self, "purple", path: [], problem: "invalid value 'purple' (expected one of: blue, green)")
        expectArgumentError(Deploy.self, try LuaValueEncoder().encode(sample).replacing("targets", with: [["name": "a", "port": 1, "color": "red"]]),
            path: ["targets", "[1]", "color"], problem: "invalid value 'red' (expected one of: blue, green)")
    }

    @Test func outOfRangeIntegers() {
        expectArgumentError(Small.self, ["count": 300], path: ["count"], problem: "value out of range for UInt8: 300")
        expectArgumentError(Small.self, ["count": -1], path: ["count"], problem: "value out of range for UInt8: -1")
        expectArgumentError(Int32.self, .int(Int64(Int32.max) + 1), path: [], problem: "value out of range for Int32: 2147483648")
    }

    @Test func missingArguments() {
        expectArgumentError(SetWeights.self, ["zone": "Z1", "weights": [:]], path: ["record"], problem: "missing required argument")
        expectArgumentError(Nested.self, ["weights": ["blue": 1]], path: ["weights", "green"], problem: "missing required argument")
        expectArgumentError(IntBox.self, ["n": .nil], path: ["n"], problem: "missing required argument")
    }

    @Test func unknownKeysAreRejected() throws {
        expectArgumentError(SetWeights.self, ["zone": "Z1", "record": "r", "weights": [:], "wieghts": [:]],
            path: [], problem: "unknown argument 'wieghts' (expected one of: record, weights, zone)")
        expectArgumentError(Nested.self, ["weights": ["blue": 1, "green": 2, "red": 3]],
            path: ["weights"], problem: "unknown argument 'red' (expected one of: blue, green)")
        expectArgumentError(Deploy.self, try LuaValueEncoder().encode(sample).replacing("primary",
            with: ["name": "a", "port": 1, "color": "blue", "prot": 2, "nmae": "x"]),
            path: ["primary"], problem: "unknown arguments 'nmae', 'prot' (expected one of: color, name, port, tags)")
    }

    @Test func customCodableTypes() throws {
        #expect(try decode(Probe.self, ["pos": ["x": 3, "y": "ignored"], "level": 2]) == Probe(x: 3, level: .high))
        expectArgumentError(Probe.self, ["pos": ["x": 3, "z": 1]], path: ["pos"],
            problem: "unknown argument 'z' (expected one of: x, y)")
        expectArgumentError(Probe.self, ["pos": ["x": -1]], path: ["pos", "x"], problem: "must not be negative")
        expectArgumentError(Probe.self, ["pos": ["x": 1], "level": 3], path: ["level"],
            problem: "invalid value 3 (expected one of: 1, 2)")
        expectArgumentError(Probe.self, ["pos": ["x": 1], "level": "high"], path: ["level"],
            problem: "number expected, got string")
        expectArgumentError(WantsSuper.self, [:], path: [], problem: "superDecoder is not supported")
        expectArgumentError(Probe.self, ["pos": ["x": 1], "other": [:]], path: [],
            problem: "unknown argument 'other' (expected one of: level, pos)")
    }

    @Test func errorDescriptions() {
        let nested = LuaArgumentError(path: ["weights", "blue"], problem: "number expected, got string")
        #expect(nested.pathDescription == "weights.blue")
        #expect(nested.description == "bad argument 'weights.blue' (number expected, got string)")
        let indexed = LuaArgumentError(path: ["cmd", "[2]"], problem: "string expected, got number")
        #expect(indexed.pathDescription == "cmd[2]")
        #expect(LuaArgumentError(path: ["[1]", "name"], problem: "p").pathDescription == "[1].name")
        let root = LuaArgumentError(path: [], problem: "table expected, got nil")
        #expect(root.pathDescription == "")
        #expect(root.description == "bad argument (table expected, got nil)")
    }

    @Test func jsonRoundTripKeepsLuaTypes() throws {
        let value: LuaValue = [
            "int": 10, "float": 1.5, "integralFloat": .double(10), "inf": .double(-.infinity),
            "bytes": .bytes([0xff, 0xfe, 0x00, 0x41]), "list": [1, "two", [3.25]], "empty": [:],
            "looksLikeTag": ["$bytes": "AAAA"], "flag": false, "text": "hé",
        ]
        let json = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(LuaValue.self, from: json) == value)
        let nan = try JSONDecoder().decode(LuaValue.self, from: JSONEncoder().encode(LuaValue.double(.nan)))
        #expect(nan.isNaNFloat)
    }

    @Test func jsonMapping() throws {
        func json(_ value: LuaValue) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        #expect(try json(["i": 1, "f": 0.5]) == #"{"f":0.5,"i":1}"#)
        #expect(try json(.double(10)) == #"{"$float":"10.0"}"#)
        #expect(try json(.bytes([0xff])) == #"{"$bytes":"\/w=="}"#)
        #expect(try json(["$x": 1]) == #"{"$table":{"$x":1}}"#)
        func lua(_ text: String) throws -> LuaValue { try JSONDecoder().decode(LuaValue.self, from: Data(text.utf8)) }
        #expect(try lua("[]") == .table([:]))
        #expect(try lua("1e2") == .int(100))
        #expect(try lua("2.5") == .double(2.5))
        #expect(try lua("9223372036854775808") == .double(9223372036854775808))
        #expect(try lua(#"{"a":null,"b":[true]}"#) == ["a": .nil, "b": [true]])
    }

    @Test func base64() {
        for n in 0..<8 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 97 + 200) }
            let text = LuaCodingBase64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(LuaCodingBase64.decode(text) == bytes)
        }
        #expect(LuaCodingBase64.decode("A=AA") == nil)
        #expect(LuaCodingBase64.decode("AAA") == nil)
    }
}

extension LuaValue {
    fileprivate func replacing(_ key: String, with value: LuaValue) -> LuaValue {
        guard case .table(var table) = self else { return self }
        table[key] = value
        return .table(table)
    }

    fileprivate var isNaNFloat: Bool {
        if case .double(let d) = self { return d.isNaN }
        return false
    }
}
