import FlowTesting
import Foundation
import Testing

/// Virtual time: sleeps, retry backoff, signal timeouts and gate windows advance a clock
/// instead of waiting, exactly, and in the journal.
@Suite struct VirtualTimeTests {
    static let workflows = [
        "bake.lua": """
            local t0 = flow.now()
            flow.sleep(86400)
            local t1 = flow.now()
            flow.exec{ cmd = { "deploy" }, retry = { max_attempts = 4, initial = 30, backoff = 2, max_interval = 600, jitter = "none" } }
            return { slept = t1 - t0 }
            """,
        "wait.lua": """
            local p = flow.params{ timeout = 600 }
            local got, err = flow.signal("approve", { timeout = p.timeout })
            if not got then flow.fail("no approval: " .. tostring(err)) end
            return got
            """,
    ]

    @Test func aDayOfBakeAndTheBackoffTakeNoRealTime() async throws {
        let kit = try Kit(Self.workflows.merging(["bake_test.lua": """
            local t = require "flow.test"
            t.case("a 24-hour sleep and three backoffs", function()
              local run = t.run("bake.lua", { mocks = { ["flow.exec"] = {
                ["1-3"] = { error = "NonZeroExit", message = "exit 1" },
                [4] = { returns = { code = 0, stdout = "", stderr = "" } },
              } } })
              t.eq(run.status, "succeeded")
              t.eq(run.result.slept, 86400.0)
              local deploy = run:step("flow.exec")
              t.eq(deploy.attempts, 4)
              -- backoff 30, 60, 120 s after the day: the last attempt starts 210 s later
              t.eq(deploy.at, 86400.0)
              t.eq(run.elapsed, 86400.0 + 210)
            end)
            """]) { a, _ in a })
        defer { kit.remove() }
        // The virtual times are asserted in the file; the real time is in docs/PERFORMANCE.md
        // (`flow test workflows plugins/gates`), not here: a timed test is a flaky test.
        let results = await kit.run("bake_test.lua")
        #expect(results["a 24-hour sleep and three backoffs"]?.failure == nil, "\(results)")
    }

    @Test func signalsArriveAtTheirVirtualTimeAndTimeoutsExpire() async throws {
        let kit = try Kit(Self.workflows.merging(["wait_test.lua": """
            local t = require "flow.test"
            t.case("approved at minute 5", function()
              local run = t.run("wait.lua", { signals = { { at = 300, name = "approve", data = { by = "alice" } } } })
              t.eq(run.status, "succeeded")
              t.eq(run.result, { by = "alice" })
              t.eq(run.elapsed, 300.0)
            end)
            t.case("nobody approves: the timeout fails it at 600 s", function()
              local run = t.run("wait.lua")
              t.eq(run.status, "failed")
              t.match(run.error.message, "no approval")
              t.eq(run.elapsed, 600.0)
            end)
            t.case("a signal after the timeout is too late", function()
              local run = t.run("wait.lua", { signals = { { at = 601, name = "approve" } } })
              t.eq(run.status, "failed")
            end)
            t.case("waiting forever stalls at the horizon and says for what", function()
              local run = t.run("wait.lua", { params = { timeout = 1e9 }, horizon = t.days(2) })
              t.eq(run.status, "stalled")
              t.eq(run.waiting.name, "approve")
              t.eq(run.waiting.kind, "signal")
              t.eq(run.elapsed, 172800.0)
            end)
            """]) { a, _ in a })
        defer { kit.remove() }
        let results = await kit.run("wait_test.lua")
        #expect(results.count == 4)
        for (name, r) in results { #expect(r.failure == nil, "\(name): \(r.failure ?? "")") }
    }

    @Test func aStepThatTakesLongerThanItsTimeoutTimesOutInVirtualTime() async throws {
        let kit = try Kit(["slow.lua": """
            local ok, err = pcall(flow.exec, { cmd = { "slow" }, timeout = 30 })
            return { ok = ok, error = not ok and err.name or nil, at = flow.now() }
            """, "slow_test.lua": """
            local t = require "flow.test"
            t.case("40 s of work against a 30 s timeout", function()
              local run = t.run("slow.lua", { mocks = { ["flow.exec"] = { delay = 40, returns = {} } } })
              t.eq(run.status, "succeeded")
              t.eq(run.result.ok, false)
              t.eq(run.result.error, "Timeout")
              t.eq(run:step("flow.exec").ended, 30.0)
            end)
            t.case("20 s of work is in time", function()
              local run = t.run("slow.lua", { mocks = { ["flow.exec"] = { delay = 20, returns = {} } } })
              t.eq(run.result.ok, true)
              t.eq(run:step("flow.exec").ended, 20.0)
            end)
            """])
        defer { kit.remove() }
        let results = await kit.run("slow_test.lua")
        #expect(results.count == 2)
        for (name, r) in results { #expect(r.failure == nil, "\(name): \(r.failure ?? "")") }
    }

    @Test func theClockJumpsToTheNextScheduledThingNotPastIt() async {
        let clock = VirtualClock(start: 1_000, horizon: 1_000_000)
        let fired = FiredAt()
        clock.schedule(at: 5_000) { fired.add(clock.now()) }
        clock.schedule(at: 5_000) { fired.add(clock.now() + 1) }
        await clock.wait(until: 60_000, poll: .milliseconds(50))
        #expect(clock.now() == 5_000)
        #expect(fired.values == [5_000, 5_001])
        await clock.wait(until: 60_000, poll: .milliseconds(50))
        #expect(clock.now() == 60_000)
        #expect(!clock.isExhausted)
        await clock.wait(until: nil, poll: .milliseconds(50))
        #expect(clock.now() == 1_000_000)
        #expect(clock.isExhausted)
    }
}

final class FiredAt: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int64] = []
    func add(_ v: Int64) { lock.withLock { list.append(v) } }
    var values: [Int64] { lock.withLock { list } }
}
