import Foundation
import Testing
import FlowLua
@testable import FlowEngine

/// Lua patterns that backtrack for ever (in Lua's own library they ran in C past every limit and
/// hung the process) in a workflow and in a Lua gate: each ends with a clear error naming the
/// limit, the journal reads, and the next run in the same process works. The containment checks
/// are HostileLuaTests' and HostileGateTests'.
@Suite struct HostilePatternTests {
    /// Line 1 makes the subject; line 2 is the runaway call.
    static let runaways: [(id: String, code: String)] = [
        ("pfind", #"local s = ("a"):rep(400)"# + "\n" + #"return s:find((".-"):rep(4) .. "b")"#),
        ("pmatch", #"local s = ("a"):rep(400)"# + "\n" + #"return string.match(s, ("(.*)"):rep(4) .. "b")"#),
        ("pgmatch", #"local s = ("a"):rep(400)"# + "\n" + #"for m in s:gmatch((".-"):rep(4) .. "b") do end"#),
        ("pgsub", #"local s = ("a"):rep(400)"# + "\n" + #"return (s:gsub((".-"):rep(4) .. "b", "x"))"#),
        ("ppcall", #"local s = ("a"):rep(400)"# + "\n" + #"while true do pcall(string.find, s, (".-"):rep(4) .. "b") end"#),
        ("pbal", #"local s = ("("):rep(1 << 20)"# + "\n" + #"return s:find("%b()")"#),
    ]

    @Test func runawayPatternsEndAWorkflowAtItsInstructionLimit() async throws {
        let hostile = HostileLuaTests()
        for (id, code) in Self.runaways {
            let start = ContinuousClock.now
            let e = try await hostile.contained(code, id: id)
            #expect(e.name == "InstructionLimit", "\(id)")
            #expect(e.message == "\(id).lua:2: instruction limit exceeded: the script ran more than 5000000 instructions", "\(id)")
            // Far from "for ever", wide enough for a stalled machine (the limit takes milliseconds).
            #expect(ContinuousClock.now - start < .seconds(60), "\(id)")
        }
        let step = try await hostile.contained(#"""
            flow.step('scan', function()
              return ("a"):rep(400):match((".-"):rep(4) .. "b")
            end)
            """#, id: "pstep")
        #expect(step.name == "InstructionLimit")
        #expect(step.message.hasSuffix("instruction limit exceeded: the script ran more than 5000000 instructions"))
    }

    @Test func aStepTimeoutEndsARunawayPattern() async throws {
        let start = ContinuousClock.now
        let e = try await HostileLuaTests().contained(#"""
            flow.step('scan', function()
              return ("a"):rep(400):find((".-"):rep(4) .. "b")
            end, { timeout = 0.2, retry = { max_attempts = 1 } })
            """#, id: "ptime", limits: LuaLimits(memoryBytes: 32 << 20))
        #expect(e.name == "Timeout")
        #expect(e.message.contains("ran longer than its timeout of 0.2 s"), "\(e.message)")
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    /// `body` of a gate that hangs in a pattern on its second line.
    static let gateBody = #"  local s = ("a"):rep(400)"# + "\n" + #"  return { status = s:find((".-"):rep(4) .. "b") and "pass" or "fail", reason = "r" }"#

    @Test func aRunawayPatternEndsAGateAtItsLimits() async throws {
        let gates = try HostileGateTests.Gates()
        gates.gate("pat", Self.gateBody)
        let start = ContinuousClock.now
        let byInstructions = try await HostileGateTests().failure(gates, "pat")
        #expect(byInstructions?.name == "GateLimit")
        #expect(byInstructions?.message == "gate 'pat' (pat.lua:3) exceeded its instruction limit of 5000000 instructions")
        // Without an instruction limit, the gate's time limit stops it.
        gates.limits = LuaLimits(memoryBytes: 32 << 20)
        let run = try #require(gates.plugin(timeout: 0.5).functions.first)
        await #expect { try await run.call(["gate": "pat"], context: StepContext(executionID: "p", seq: 1, attempt: 1)) } throws: { error in
            guard let f = error as? StepFailure else { return false }
            return f.name == "GateTimeout" && f.message.replacingOccurrences(of: gates.root + "/", with: "")
                == "gate 'pat' (pat.lua:3) exceeded its time limit of 0.5 s"
        }
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func aRunawayPatternInAGateFailsTheWorkflow() async throws {
        let gates = try HostileGateTests.Gates()
        gates.gate("pat", Self.gateBody)
        let (_, e) = try await HostileGateTests().run(gates, "pat")
        #expect(e?.name == "GateLimit")
        #expect(e?.message.contains("gate 'pat' (pat.lua:3) exceeded its instruction limit of 5000000 instructions") == true, "\(e?.message ?? "")")
    }
}
