/// Seeded random Lua expressions over a small alphabet for PatternTwin: patterns built from
/// every kind of item (classes, sets, quantifiers, captures, back-references, %b, %f, anchors,
/// and now and then something malformed), subjects of at most 12 bytes, and each library call
/// with its optional arguments. Few quantified items and short subjects keep Lua's own
/// backtracking quick.
struct PatternFuzz {
    /// SplitMix64: deterministic for a seed on every platform.
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    private mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    private mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    static let subjectBytes = Array("aab().%- b1A_]^$[".utf8) + [0]

    mutating func subject() -> String {
        let n = below(13)
        var bytes: [UInt8] = []
        for _ in 0..<n { bytes.append(pick(Self.subjectBytes)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A single-character class: a byte, '.', %x, or a set.
    private mutating func single() -> String {
        switch below(10) {
        case 0, 1, 2: return pick(["a", "b", "1", " ", "A", "_", "x"])
        case 3: return "."
        case 4, 5: return "%" + pick(["a", "d", "s", "w", "p", "l", "u", "x", "c", "g", "z", "A", "D", "S", "W", "P", "L", "U", "X", "C", "G"])
        case 6: return "%" + pick([".", "%", "(", ")", "[", "]", "-", "^", "$", "*", "+", "?", "q"])
        default: return set()
        }
    }

    private mutating func set() -> String {
        var body = chance(30) ? "^" : ""
        if chance(10) { body += "]" }
        for _ in 0..<(1 + below(3)) {
            switch below(5) {
            case 0: body += pick(["a", "b", "(", ")", " ", "-", "^", "1"])
            case 1: body += pick(["a-b", "0-9", "A-Z", " -)", "b-a"])
            case 2: body += "%" + pick(["a", "d", "s", "w", "p", "A", "W", "%", "]", "-"])
            default: body += pick(["a", "_", ".", "$"])
            }
        }
        if chance(3) { return "[" + body }  // unterminated
        return "[" + body + "]"
    }

    /// A pattern of up to eight items, at most three of them repeated.
    mutating func pattern() -> String {
        var out = chance(20) ? "^" : ""
        var repeated = 0
        var open = 0
        var closed = 0
        for _ in 0..<below(8) {
            switch below(20) {
            case 0:
                out += "("
                open += 1
            case 1:
                if open > 0 || chance(20) {
                    out += ")"
                    open -= 1
                    closed += 1
                }
            case 2: out += "()"
            case 3: out += "%" + String(1 + below(closed > 0 && chance(80) ? closed : 3))
            case 4: out += "%b" + pick(["()", "ab", "[]", "aa", "((", "(", ""])
            case 5: out += "%f" + (chance(90) ? set() : pick(["a", ""]))
            case 6: if chance(20) { out += pick(["%", "[", "%f", "%b", "%0", ")"]) }
            default:
                out += single()
                if repeated < 3, chance(45) {
                    out += pick(["*", "+", "-", "?"])
                    repeated += 1
                }
            }
        }
        while open > 0, chance(80) {
            out += ")"
            open -= 1
        }
        if chance(15) { out += "$" }
        return out
    }

    private mutating func start() -> String {
        chance(40) ? "" : String(below(17) - 8)
    }

    private mutating func replacement() -> String {
        switch below(9) {
        case 0: return "Fn"
        case 1: return "T"
        case 2: return "Num"
        case 3: return "Bad"
        case 4: return "7"
        default:
            return luaQuoted(pick(["<%0>", "%1", "%2", "[%1|%2]", "x", "%%", "%", "%a", "", "%0%0", "-%3-"]))
        }
    }

    /// One library call as a Lua expression.
    mutating func expression() -> String {
        let s = luaQuoted(subject()), p = luaQuoted(pattern())
        switch below(4) {
        case 0:
            let plain = chance(25) ? ", true" : ""
            let start = start()
            let args = start.isEmpty && plain.isEmpty ? "" : ", " + (start.isEmpty ? "nil" : start) + plain
            return "string.find(\(s), \(p)\(args))"
        case 1:
            let start = start()
            return "string.match(\(s), \(p)\(start.isEmpty ? "" : ", " + start))"
        case 2:
            let start = start()
            return "collect(string.gmatch(\(s), \(p)\(start.isEmpty ? "" : ", " + start)))"
        default:
            let max = chance(30) ? ", \(below(5) - 1)" : ""
            return "string.gsub(\(s), \(p), \(replacement())\(max))"
        }
    }
}
