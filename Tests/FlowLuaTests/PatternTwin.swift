import Testing
@testable import FlowLua

/// The same Lua expressions run twice: in a plain interpreter, whose string library is Lua's own
/// C code, and in a sandbox, whose find/match/gmatch/gsub are the bounded ones (CLua's
/// patterns.h). Each expression's results or error come back as one line of text to compare.
final class PatternTwin {
    let plain: LuaState
    let sandboxed: LuaState
    private let plainDriver: LuaRef
    private let sandboxedDriver: LuaRef

    init() throws {
        plain = try LuaState()
        // A budget, so that charging runs too (and a bug cannot hang the test run).
        sandboxed = try LuaState(limits: LuaLimits(instructions: 50_000_000_000))
        let env = try sandboxed.makeSandbox()
        plainDriver = try plain.load(Self.driver, chunkName: "=twin")
        sandboxedDriver = try sandboxed.load(Self.driver, chunkName: "=twin", environment: env)
    }

    struct Mismatch: CustomStringConvertible {
        var code: String
        var lua: String
        var bounded: String
        var description: String { "\(code)\n  Lua:     \(lua)\n  bounded: \(bounded)" }
    }

    /// Each expression's outcome in Lua's library and in the sandbox's.
    func outcomes(_ expressions: [String]) throws -> (lua: [String], bounded: [String]) {
        let cases = LuaValue.array(expressions.map { .string($0) })
        return (try Self.lines(plain.call(plainDriver, [.value(cases)])),
                try Self.lines(sandboxed.call(sandboxedDriver, [.value(cases)])))
    }

    func mismatches(_ expressions: [String]) throws -> [Mismatch] {
        let (lua, bounded) = try outcomes(expressions)
        #expect(lua.count == expressions.count && bounded.count == expressions.count)
        return zip(expressions, zip(lua, bounded)).compactMap { code, pair in
            pair.0 == pair.1 ? nil : Mismatch(code: code, lua: pair.0, bounded: pair.1)
        }
    }

    private static func lines(_ values: [LuaValue]) -> [String] {
        guard case .array(let items)? = values.first else { return [] }
        return items.map { item in
            switch item {
            case .string(let s): s
            case .bytes(let b): String(decoding: b, as: UTF8.self)
            default: "\(item)"
            }
        }
    }

    /// Runs each expression in protected mode and renders what it gave: values with their
    /// types (integers and floats apart), or the error. `collect(string.gmatch(...))` walks an
    /// iterator; `Fn`, `T`, `Bad` and `Num` are gsub replacements of every kind. The driver
    /// itself uses no pattern function.
    static let driver = """
    local cases = ...
    local function show(v)
      local t = type(v)
      if t == "string" then return string.format("%q", v) end
      if t == "number" then return math.type(v) .. " " .. tostring(v) end
      if t == "nil" or t == "boolean" then return tostring(v) end
      return t
    end
    local function showall(r, from)
      local out = {}
      for i = from, r.n do out[#out + 1] = show(r[i]) end
      return table.concat(out, ", ")
    end
    local function collect(f, s, c)
      local out = {}
      for _ = 1, 200 do
        local r = table.pack(f(s, c))
        if r[1] == nil then break end
        out[#out + 1] = "(" .. showall(r, 1) .. ")"
      end
      return table.concat(out, " ")
    end
    local calls = 0
    local function Fn(...)
      calls = calls + 1
      local a = ...
      if a == "a" then return nil end
      if a == "b" then return false end
      if a == "1" then return 10 end
      return "<" .. showall(table.pack(...), 1) .. ">"
    end
    local T = { a = "A", b = false, ab = "[ab]", ["1"] = 1, [1] = "one", [2] = 2.5, c = true }
    local function Bad() return {} end
    local function Num() return 7 end
    local scope = setmetatable({ collect = collect, Fn = Fn, T = T, Bad = Bad, Num = Num,
                                 calls = function() return calls end },
                               { __index = _ENV })
    local results = {}
    for i, code in ipairs(cases) do
      calls = 0
      local f, err = load("return " .. code, "=case", "t", scope)
      if not f then
        results[i] = "load: " .. tostring(err)
      else
        local r = table.pack(pcall(f))
        results[i] = (r[1] and "ok " or "error ") .. showall(r, 2) .. " calls " .. calls
      end
    end
    return results
    """
}

/// A Lua string literal for any bytes: printable ASCII as is, the rest as \\ddd.
func luaQuoted(_ s: String) -> String {
    var out = "\""
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            out += "\\" + String(UnicodeScalar(b))
        case 0x20...0x7e:
            out.append(Character(UnicodeScalar(b)))
        default:
            let digits = String(b)
            out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        }
    }
    return out + "\""
}
