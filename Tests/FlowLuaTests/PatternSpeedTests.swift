import Foundation
import Testing
@testable import FlowLua

/// A measurement, not a check: ordinary patterns over a 1 MiB subject through Lua's own library
/// and through the sandbox's bounded one, best of five each. Off by default (timings on a shared
/// machine prove nothing); run with
/// `FLOW_PATTERN_SPEED=1 swift test --skip-build --filter PatternSpeedTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOW_PATTERN_SPEED"] != nil))
struct PatternSpeedTests {
    static let subject = """
    local words = { "alpha", "beta", "gamma", "delta", "12.5", "user@example", "x", "(nested (parens))", "ok" }
    local parts, n, i = {}, 0, 0
    while n < 1 << 20 do i = i + 1; local w = words[i % #words + 1]; parts[#parts + 1] = w; n = n + #w + 1 end
    S = table.concat(parts, " "):sub(1, 1 << 20)
    """

    static let cases: [(String, String)] = [
        ("find %d+%.%d%d (near the end)", #"string.find(S .. " 99.55", "%d+%.%d%d")"#),
        ("find %u (no match)", #"string.find(S, "%u")"#),
        ("match (%w+)@(%w+)$ (no match)", #"string.match(S, "(%w+)@(%w+)$")"#),
        ("gmatch %a+", #"(function() local c = 0 for _ in string.gmatch(S, "%a+") do c = c + 1 end return c end)()"#),
        ("gsub %s+ -> _", #"string.gsub(S, "%s+", "_")"#),
        ("gsub (%w+) -> %1%1", #"string.gsub(S, "(%w+)", "%1%1")"#),
        ("gsub %b() -> x", #"string.gsub(S, "%b()", "x")"#),
        ("find plain (no match)", #"string.find(S, "gamma delta 12.5 user@examplf", 1, true)"#),
    ]

    func best(_ lua: LuaState, _ f: LuaRef) throws -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let start = ContinuousClock.now
            _ = try lua.callForRefs(f)
            let d = ContinuousClock.now - start
            best = min(best, Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
        }
        return best
    }

    @Test func ordinaryPatternsOverOneMebibyte() throws {
        let plain = try LuaState()
        let sandboxed = try LuaState(limits: LuaLimits(instructions: 1 << 60))
        let env = try sandboxed.makeSandbox()
        _ = try plain.call(plain.load(Self.subject, chunkName: "=s"))
        _ = try sandboxed.call(sandboxed.load(Self.subject, chunkName: "=s", environment: env))
        for (name, expression) in Self.cases {
            let lua = try best(plain, plain.load("return " + expression, chunkName: "=m"))
            let bounded = try best(sandboxed, sandboxed.load("return " + expression, chunkName: "=m", environment: env))
            let label = name.padding(toLength: 32, withPad: " ", startingAt: 0)
            print(label + String(format: " Lua %8.2f ms   bounded %8.2f ms   x%.2f", lua, bounded, bounded / lua))
        }
    }
}
