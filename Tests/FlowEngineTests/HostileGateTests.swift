import Foundation
import Testing
import FlowLua
@testable import FlowEngine

/// The same abuses in a Lua gate: through `gates.run` directly (one measurement), and through a
/// workflow's `flow.gate`, where what the gate did must end in a journaled failure.
@Suite struct HostileGateTests {
    /// A folder of gates, removed at the end (short: Lua abbreviates long chunk names).
    final class Gates {
        let root: String
        init() throws {
            root = "/tmp/hg-" + UUID().uuidString.prefix(8).lowercased()
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// `body` as the gate's function (line 1 is `return function(ctx, args)`).
        func gate(_ name: String, _ body: String) {
            let source = "return function(ctx, args)\n" + body + "\nend\n"
            _ = FileManager.default.createFile(atPath: root + "/" + name + ".lua", contents: Data(source.utf8))
        }

        var limits = HostileLuaTests.tight

        func plugin(timeout: Double = 60) -> LuaGatePlugin {
            LuaGatePlugin(searchPath: [root], functions: [:], limits: limits, timeout: timeout)
        }
    }

    /// One measurement of `gate` that must fail; then a plain gate must still pass.
    func failure(_ g: Gates, _ gate: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> StepFailure? {
        let run = try #require(g.plugin().functions.first)
        let context = StepContext(executionID: "hostile", seq: 1, attempt: 1)
        var failure: StepFailure?
        do {
            let v = try await run.call(["gate": .string(gate)], context: context)
            Issue.record("expected a failure, got \(v)", sourceLocation: sourceLocation)
        } catch let f as StepFailure {
            failure = StepFailure(f.name, f.message.replacingOccurrences(of: g.root + "/", with: ""), retryable: f.retryable)
        }
        g.gate("fine", "  return { status = 'pass', reason = 'fine' }")
        let fine = try await run.call(["gate": "fine"], context: context)
        #expect(fine["status"] == "pass", sourceLocation: sourceLocation)
        return failure
    }

    @Test func abusesEndTheMeasurementWithAClearError() async throws {
        let g = try Gates()
        let cases: [(String, String, String, String)] = [
            ("gc", "  setmetatable({}, { __gc = function() while true do end end })", "GateError",
             "gate 'gc': gc.lua:2: setmetatable: __gc is not available in a sandboxed script (a finaliser runs outside the script's limits)"),
            ("gcstop", "  collectgarbage('stop')", "GateError", "gate 'gcstop': gcstop.lua:2: collectgarbage('stop') is not available in a sandboxed script"),
            ("yield", "  local a = 1\n  coroutine.yield()", "GateError",
             "gate 'yield': yield.lua:3: the gate yielded outside a ctx call (coroutine.yield is only for coroutines the gate creates)"),
            ("ymeta", "  local t = setmetatable({}, { __index = function()\n    coroutine.yield()\n  end })\n  return t.x", "GateError",
             "gate 'ymeta': ymeta.lua:3: the gate yielded outside a ctx call (coroutine.yield is only for coroutines the gate creates)"),
            ("enil", "  error(nil)", "GateError", "gate 'enil': enil.lua:2: (error object is a nil value)"),
            ("efn", "  error(print)", "GateError", "gate 'efn': efn.lua:2: (error object is a function value)"),
            ("etbl", "  error({ 1, 2 })", "GateError", "gate 'etbl': etbl.lua:2: (error object is a table value)"),
            ("rep", "  local s = ('x'):rep(64 << 20)", "GateLimit", "gate 'rep' (rep.lua:2) exceeded its memory limit of 32 MiB"),
            ("dbg", "  debug.sethook()", "GateError", "gate 'dbg': dbg.lua:2: debug is not available in gates: it reaches past the sandbox"),
        ]
        for (name, body, errorName, message) in cases {
            g.gate(name, body)
            let f = try await failure(g, name)
            #expect(f?.name == errorName, "\(name)")
            #expect(f?.message == message, "\(name)")
        }
    }

    @Test func runawayGatesEndAtTheirLimits() async throws {
        let g = try Gates()
        let start = ContinuousClock.now
        for (name, body) in [
            ("gcstep", "  for i = 1, 1e9 do collectgarbage('step', 1e9) end"),
            ("close", "  local x <close> = setmetatable({}, { __close = function() while true do end end })"),
            ("co", "  coroutine.wrap(function() while true do end end)()"),
            ("pc", "  while true do pcall(function() while true do end end) end"),
        ] {
            g.gate(name, body)
            let f = try await failure(g, name)
            #expect(f?.name == "GateLimit", "\(name)")
            #expect(f?.message.hasSuffix("exceeded its instruction limit of 5000000 instructions") == true, "\(name): \(f?.message ?? "")")
        }
        let deep = [("rec", "  local function f() return 1 + f() end\n  return f()", "stack overflow"),
                    ("gsub", "  local function f(s) return (s:gsub('.', f)) end\n  return f('ab')", "C stack overflow")]
        for (name, body, text) in deep {
            g.gate(name, body)
            let message = try await failure(g, name)?.message ?? ""
            #expect(message.contains(text) || message.contains("exceeded its memory limit"), "\(name): \(message)")
        }
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    /// Gates in a workflow: what a gate returns or raises must end in a failure the journal holds.
    func run(_ g: Gates, _ gate: String) async throws -> (WorkflowHarness, StepError?) {
        let h = try WorkflowHarness()
        h.registry.register(g.plugin())
        let script = h.write("w.lua", "return flow.gate('\(gate)', { count = 1, every = 0.01, consecutive_errors = 0 })")
        let outcome = try await h.run(script, id: "g-\(gate)", limits: HostileLuaTests.tight)
        #expect(try HistoryEntry.load(home: h.home, id: "g-\(gate)").last?.kind == "finished")
        #expect(try await h.resume("g-\(gate)") == .alreadyFinished(.failed))
        let ok = try await h.run(h.write("ok.lua", "return 1"), id: "ok")
        #expect(ok == .succeeded(1))
        if case .failed(let e) = outcome { return (h, StepError(name: e.name, message: e.message.replacingOccurrences(of: g.root + "/", with: ""))) }
        Issue.record("expected a failure, got \(outcome)")
        return (h, nil)
    }

    @Test func aGateThatWouldHangInAFinaliserFailsTheWorkflow() async throws {
        let g = try Gates()
        g.gate("gc", "  local t = setmetatable({}, { __gc = function() while true do end end })\n  return { status = 'pass', reason = 'r' }")
        let (_, e) = try await run(g, "gc")
        #expect(e?.name == "GateError")
        #expect(e?.message.contains("gc.lua:2: setmetatable: __gc is not available") == true)
    }

    @Test func aGatesHugeResultOrErrorIsJournaledAsAFailure() async throws {
        let g = try Gates()
        g.gate("bigreason", "  return { status = 'pass', reason = string.rep('r', 20 << 20) }")
        g.gate("bigerror", "  error(string.rep('e', 20 << 20))")
        g.limits = LuaLimits(memoryBytes: 128 << 20, instructions: 5_000_000)
        let (_, reason) = try await run(g, "bigreason")
        #expect(reason?.name == "ResultTooLarge")
        #expect(reason?.message.hasPrefix("gate bigreason returned more than 16320 KiB") == true)
        let (_, error) = try await run(g, "bigerror")
        #expect(error?.name == "GateError")
        #expect(error?.message.hasSuffix(" more bytes cut)") == true)
        #expect((error?.message.utf8.count ?? 0) <= JournalBounds.maxMessageBytes)
    }
}
