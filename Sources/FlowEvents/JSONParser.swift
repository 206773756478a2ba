/// Why JSON text could not be parsed, and where (1-based line and column, 0-based byte offset).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int

    public var description: String { "\(message) at line \(line), column \(column)" }
}

public enum JSONLimits {
    /// Deepest nesting accepted. The parser and the matcher recurse, and tests run on threads with
    /// small stacks; EventBridge events are far shallower.
    public static let maxDepth = 256
}

/// What the parser builds: `JSONValue` for events, `JSONNode` (ordered, duplicates kept) for patterns.
/// Objects are built member by member: collecting (key, value) tuples first cost a runtime
/// type-metadata lookup per object, the largest item in the parser's profile.
protocol JSONBuilder {
    associatedtype Value
    associatedtype Object
    static func null() -> Value
    static func bool(_ b: Bool) -> Value
    static func number(_ n: JSONNumber) -> Value
    static func string(_ s: String) -> Value
    static func array(_ items: [Value]) -> Value
    static func emptyObject() -> Object
    static func add(_ key: String, _ value: Value, to object: inout Object)
    static func object(_ object: Object) -> Value
}

/// A strict RFC 8259 parser over UTF-8 bytes (no Foundation: `JSONSerialization` turns `true`
/// into a number and `3.0` into `3`, which numeric and literal matching must tell apart).
struct JSONParser<Builder: JSONBuilder> {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    static func parse(_ text: String) throws(JSONSyntaxError) -> Builder.Value {
        var text = text
        // withUTF8 does not pass typed errors through, hence the Result.
        return try text.withUTF8 { parse(buffer: $0) }.get()
    }

    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> Builder.Value {
        try bytes.withUnsafeBufferPointer { parse(buffer: $0) }.get()
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<Builder.Value, JSONSyntaxError> {
        var parser = JSONParser(buffer)
        do { return .success(try parser.parseDocument()) } catch { return .failure(error) }
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> Builder.Value {
        // A UTF-8 byte order mark is tolerated, as editors write one.
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        skipSpace()
        guard i < b.count else { throw error("empty input, expected a JSON value") }
        let value = try parseValue()
        skipSpace()
        guard i == b.count else { throw error("unexpected \(describe(b[i])) after the JSON value") }
        return value
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> Builder.Value {
        guard i < b.count else { throw error("unexpected end of input, expected a value") }
        switch b[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return Builder.string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return Builder.bool(true)
        case UInt8(ascii: "f"): try literal("false"); return Builder.bool(false)
        case UInt8(ascii: "n"): try literal("null"); return Builder.null()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return Builder.number(try parseNumber())
        default: throw error("unexpected \(describe(b[i])), expected a value")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> Builder.Value {
        try enter()
        i += 1
        var fields = Builder.emptyObject()
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return Builder.object(fields)
        }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error(expected: "a field name in double quotes") }
            let key = try parseString()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error(expected: "':' after a field name") }
            i += 1
            skipSpace()
            Builder.add(key, try parseValue(), to: &fields)
            skipSpace()
            guard i < b.count else { throw error("unexpected end of input inside an object") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; break }
            throw error(expected: "',' or '}' in an object")
        }
        depth -= 1
        return Builder.object(fields)
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> Builder.Value {
        try enter()
        i += 1
        var items: [Builder.Value] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return Builder.array(items)
        }
        while true {
            skipSpace()
            items.append(try parseValue())
            skipSpace()
            guard i < b.count else { throw error("unexpected end of input inside an array") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; break }
            throw error(expected: "',' or ']' in an array")
        }
        depth -= 1
        return Builder.array(items)
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > JSONLimits.maxDepth { throw error("nesting deeper than \(JSONLimits.maxDepth) levels") }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = i
        guard let micros = JSONNumber.scanNumber(b, &i) else { throw error("malformed number") }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        return JSONNumber(validLiteral: literal, micros: micros)
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count, (0..<n).allSatisfy({ b[i + $0] == word.utf8Start[$0] }) else {
            throw error("unexpected \(describe(b[i])), expected a value")
        }
        i += n
    }

    private mutating func skipSpace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private func describe(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
    }

    private func error(expected what: String) -> JSONSyntaxError {
        guard i < b.count else { return error("unexpected end of input, expected \(what)") }
        return error("unexpected \(describe(b[i])), expected \(what)")
    }

    func error(_ message: String) -> JSONSyntaxError {
        JSONParser.position(of: i, in: b, message: message)
    }

    static func position(of offset: Int, in b: UnsafeBufferPointer<UInt8>, message: String) -> JSONSyntaxError {
        var line = 1
        var column = 1
        for k in 0..<min(offset, b.count) {
            if b[k] == 0x0A { line += 1; column = 1 } else if b[k] & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(message: message, offset: offset, line: line, column: column)
    }
}
