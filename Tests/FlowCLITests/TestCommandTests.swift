import Foundation
import Testing

/// `flow test` as CI runs it: the shipped workflows' and gates' tests pass, a failing case is
/// reported with its line and makes the exit code 1, and there is nothing silently skipped.
@Suite struct TestCommandTests {
    @Test func theShippedWorkflowAndGateTestsPass() async throws {
        let box = try await Sandbox()
        defer { box.cleanup() }
        let root = FlowBinary.packageRoot
        let r = try await box.flow(["test", root + "/workflows", root + "/plugins/gates"], home: false, timeout: .seconds(120))
        #expect(r.code == 0, "\(r)")
        let summary = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let counts = summary.split(separator: " ")
        #expect(summary.hasSuffix("passed, 0 failed"), "\(r)")
        // Every shipped workflow but the trigger file, and every gate, has a test file.
        for name in ["canary", "bluegreen", "linear", "approval", "hello"] {
            #expect(r.stdout.contains("workflows/\(name)_test.lua\n"), "no tests for workflows/\(name).lua")
        }
        for name in ["error_rate", "http_latency"] {
            #expect(r.stdout.contains("plugins/gates/\(name)_test.lua\n"), "no tests for plugins/gates/\(name).lua")
        }
        #expect((Int(counts.first ?? "") ?? 0) >= 20, "\(summary)")
    }

    /// What a team's CI does before deploying an edit: the canary replays the histories kept in
    /// workflows/histories (a success, a fail-back, one interrupted mid-rollout), and an edit
    /// that would break a resume is caught.
    @Test func theShippedHistoriesReplayAgainstTheCanary() async throws {
        let box = try await Sandbox()
        defer { box.cleanup() }
        let root = FlowBinary.packageRoot
        for name in ["canary-succeeded", "canary-failed-back", "canary-interrupted"] {
            let r = try await box.flow(["replay", "--history", root + "/workflows/histories/\(name).json",
                                        "--script", root + "/workflows/canary.lua"], home: false)
            #expect(r.code == 0, "\(name): \(r)")
            #expect(r.stdout.hasPrefix("consistent: "), "\(name): \(r)")
        }
        let canary = Sandbox.readText(root + "/workflows/canary.lua")
        try box.write("canary.lua", canary.replacingOccurrences(of: "schedule = { 10, 50, 100 }", with: "schedule = { 10, 25, 50, 100 }"))
        let edited = try await box.flow(["replay", "--history", root + "/workflows/histories/canary-interrupted.json",
                                         "--script", "canary.lua"], home: false)
        #expect(edited.code == 5, "\(edited)")
        #expect(edited.stdout.hasPrefix("divergent at step 5: other arguments"), "\(edited)")
    }

    @Test func aFailingCaseIsReportedWithItsLineAndExitsOne() async throws {
        let box = try await Sandbox()
        defer { box.cleanup() }
        try box.write("w.lua", "flow.sleep(3600)\nreturn flow.now()\n")
        try box.write("w_test.lua", """
            local t = require "flow.test"
            t.case("an hour passes", function()
              local run = t.run("w.lua")
              t.eq(run.elapsed, 3600.0)
            end)
            t.case("a wrong claim", function()
              local run = t.run("w.lua")
              t.eq(run.elapsed, 60)
            end)
            """)
        let r = try await box.flow(["test", "w_test.lua"], home: false)
        #expect(r.code == 1, "\(r)")
        #expect(r.stdout.contains("  ok    an hour passes"), "\(r)")
        #expect(r.stdout.contains("  FAIL  a wrong claim"), "\(r)")
        #expect(r.stdout.contains("w_test.lua:8: expected 60, got 3600.0"), "\(r)")
        #expect(r.stdout.hasSuffix("1 passed, 1 failed\n"), "\(r)")

        let json = try await box.flow(["test", "w_test.lua", "--json", "--filter", "wrong"], home: false)
        #expect(json.code == 1)
        let report = try Sandbox.object(json.stdout)
        #expect(report["passed"] as? Int == 0)
        #expect(report["failed"] as? Int == 1)
        let cases = report["cases"] as? [[String: Any]] ?? []
        #expect(cases.count == 1)
        #expect((cases.first?["failure"] as? String)?.hasSuffix("w_test.lua:8: expected 60, got 3600.0") == true)
    }

    @Test func noTestFilesOrABadPathIsAUsageError() async throws {
        let box = try await Sandbox()
        defer { box.cleanup() }
        try FileManager.default.createDirectory(atPath: box.path("empty"), withIntermediateDirectories: true)
        let none = try await box.flow(["test", "empty"], home: false)
        #expect(none.code == 2)
        #expect(none.stderr.contains("no *_test.lua files under empty"), "\(none)")
        let missing = try await box.flow(["test", "nowhere"], home: false)
        #expect(missing.code == 2)
        #expect(missing.stderr.contains("nowhere: no such file or folder"), "\(missing)")
        try box.write("broken_test.lua", "local t = require 'flow.test'\nt.case('x', function() end\n")
        let broken = try await box.flow(["test", "broken_test.lua"], home: false)
        #expect(broken.code == 1, "\(broken)")
        #expect(broken.stdout.contains("broken_test.lua:"), "\(broken)")
    }
}
