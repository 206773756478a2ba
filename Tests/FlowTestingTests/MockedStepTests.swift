import FlowTesting
import Foundation
import Testing

/// Mocked steps: answers per call and per attempt (Step Functions Local's numbering), errors,
/// gate verdicts, and a clear failure for anything neither mocked nor simulated.
@Suite struct MockedStepTests {
    static let deploy = """
        local r = flow.exec{ cmd = { "deploy", "v2" }, retry = { max_attempts = 3, initial = 10, jitter = "none" } }
        local r2 = flow.exec{ cmd = { "smoke" }, retry = { max_attempts = 3, initial = 10, jitter = "none" } }
        return { first = r.stdout, second = r2.stdout }
        """

    @Test func answersPerCallCountRetriesAcrossSteps() async throws {
        let kit = try Kit(["deploy.lua": Self.deploy, "deploy_test.lua": """
            local t = require "flow.test"
            t.case("calls 1-2 throttled, 3 answers, 4 answers the second step", function()
              local run = t.run("deploy.lua", { mocks = { ["flow.exec"] = {
                ["1-2"] = { error = "Throttling", message = "Rate exceeded" },
                [3] = { returns = { stdout = "deployed" } },
                ["4+"] = { returns = { stdout = "smoke ok" } },
              } } })
              t.eq(run.status, "succeeded")
              t.eq(run.result, { first = "deployed", second = "smoke ok" })
              t.eq(run:step("flow.exec", 1).attempts, 3)
              t.eq(run:step("flow.exec", 2).attempts, 1)
              t.eq(run:step("flow.exec", 1).args.cmd, { "deploy", "v2" })
            end)
            t.case("retries run out: the workflow fails with the mocked error", function()
              local run = t.run("deploy.lua", { mocks = { ["flow.exec"] = { { error = "Throttling" }, { error = "Throttling" }, { error = "Throttling" } } } })
              t.eq(run.status, "failed")
              t.eq(run.error.name, "Throttling")
              t.eq(run:step("flow.exec").attempts, 3)
              t.eq(run:count("flow.exec"), 1)
            end)
            """])
        defer { kit.remove() }
        let results = await kit.run("deploy_test.lua")
        #expect(results.count == 2)
        for (name, r) in results { #expect(r.failure == nil, "\(name): \(r.failure ?? "")") }
    }

    @Test func answersPerAttemptRepeatForEveryStep() async throws {
        let kit = try Kit(["deploy.lua": Self.deploy, "deploy_test.lua": """
            local t = require "flow.test"
            t.case("every step fails its first attempt", function()
              local run = t.run("deploy.lua", { mocks = { ["flow.exec"] = {
                by = "attempt",
                [1] = { error = "Throttling" },
                [2] = { returns = { stdout = "second try" } },
              } } })
              t.eq(run.status, "succeeded")
              t.eq(run.result, { first = "second try", second = "second try" })
              t.eq(run:step("flow.exec", 1).attempts, 2)
              t.eq(run:step("flow.exec", 2).attempts, 2)
              t.eq(run.elapsed, 20.0)
            end)
            t.case("a non-retryable mocked error ends the step at once", function()
              local run = t.run("deploy.lua", { mocks = { ["flow.exec"] = { error = "AccessDenied", retryable = false } } })
              t.eq(run.status, "failed")
              t.eq(run:step("flow.exec").attempts, 1)
            end)
            """])
        defer { kit.remove() }
        let results = await kit.run("deploy_test.lua")
        #expect(results.count == 2)
        for (name, r) in results { #expect(r.failure == nil, "\(name): \(r.failure ?? "")") }
    }

    @Test func failuresNameTheTestLineAndTheMistake() async throws {
        let kit = try Kit(["deploy.lua": Self.deploy, "bad_test.lua": """
            local t = require "flow.test"
            t.case("a wrong expectation", function()
              local run = t.run("deploy.lua", { mocks = { ["flow.exec"] = { returns = { stdout = "x" } } } })
              t.eq(run.result, { first = "x", second = "y" })
            end)
            t.case("nothing mocked", function()
              t.run("deploy.lua")
            end)
            t.case("a mock that runs out", function()
              t.run("deploy.lua", { mocks = { ["flow.exec"] = { [1] = { returns = {} } } } })
            end)
            t.case("a bad mock key", function()
              t.run("deploy.lua", { mocks = { ["flow.exec"] = { first = { returns = {} } } } })
            end)
            t.case("an unknown option", function()
              t.run("deploy.lua", { parms = {} })
            end)
            t.case("a missing workflow", function()
              t.run("nope.lua")
            end)
            t.case("an error object", function()
              error({ name = "Boom", message = "went wrong" })
            end)
            """])
        defer { kit.remove() }
        let results = await kit.run("bad_test.lua")
        let file = kit.dir + "/bad_test.lua"
        func failure(_ name: String) -> String { results[name]?.failure ?? "(passed)" }
        #expect(failure("a wrong expectation") == "\(file):4: expected \"y\", got \"x\" at second")
        #expect(failure("nothing mocked").hasPrefix("\(file):7: flow.exec is not mocked and the run has no simulated cloud"))
        #expect(failure("a mock that runs out").hasPrefix("\(file):10: flow.exec: no mocked response for call 2 (the mock covers 1)"))
        #expect(failure("a bad mock key").hasPrefix("\(file):13: mocks[\"flow.exec\"]: key \"first\""))
        #expect(failure("an unknown option").hasPrefix("\(file):16: t.run: unknown argument 'parms' (expected one of: cloud, exec, gates, horizon, id, mocks, operator, params, seed, signals, start)"))
        #expect(failure("a missing workflow").contains("nope.lua does not exist"))
        #expect(failure("an error object") == "\(file):22: Boom: went wrong")
    }
}
