import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `flow replay --history FILE.json --script WORKFLOW.lua`: histories recorded with the real
/// binary (`flow run`, a SIGKILL, `flow signal`, `flow resume`), exported with `flow history ID
/// --json`, checked against edited copies of the script. Every kind of divergence is caught and
/// shown with both sides; edits that keep the history replayable pass.
@Suite("flow replay: the replay check")
struct ReplayCheckTests {
    static let fixture = FlowBinary.packageRoot + "/Tests/FlowCLITests/Fixtures/replay/rollout.lua"

    /// How the recorded execution ended: steps 1 plan, 2 shift, 3 sleep, 4 signal, then 5 done
    /// (succeeded) or 5 `exit 3` and the on_failure handler's 6 rollback and 7 report (failed);
    /// still running: stopped by SIGKILL while waiting for the signal (step 4 in flight).
    enum Ending { case succeeded, failed, running }

    /// Runs the fixture (as rollout.lua, with `--param green=90`) to `ending` and writes its
    /// history to `history.json`.
    static func record(_ sb: Sandbox, _ ending: Ending) async throws {
        try sb.write("rollout.lua", Sandbox.readText(fixture))
        let run = try await sb.flow(["run", "rollout.lua", "--id", "r", "--param", "green=90", "--quiet"],
                                    env: ["FLOW_CRASH_AT": "after-intent:4"])
        #expect(run.killedBySIGKILL, "\(run)")
        if ending != .running {
            let data = ending == .failed ? #"{"fail":true}"# : "{}"
            #expect(try await sb.flow(["signal", "r", "verdict", "--data", data]).code == 0)
            let resume = try await sb.flow(["resume", "r", "--quiet"])
            #expect(resume.code == (ending == .failed ? 1 : 0), "\(resume)")
        }
        let history = try await sb.flow(["history", "r", "--json"])
        #expect(history.code == 0, "\(history)")
        try sb.write("history.json", history.stdout)
    }

    /// A copy of rollout.lua at `name` with each `(old, new)` replaced (each must occur).
    static func edit(_ sb: Sandbox, _ name: String, _ edits: [(String, String)]) throws {
        var text = sb.read("rollout.lua")
        for (old, new) in edits {
            guard text.contains(old) else { throw HarnessError("rollout.lua has no '\(old)'") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        try sb.write(name, text)
    }

    static func replay(_ sb: Sandbox, _ script: String, history: String = "history.json", json: Bool = false) async throws -> CLIResult {
        try await sb.flow(["replay", "--history", history, "--script", script] + (json ? ["--json"] : []), home: false)
    }

    /// The report's line starting with `label` ("recorded:", "now:", "hint:", "next:").
    static func line(_ r: CLIResult, _ label: String) -> String {
        r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(label) } ?? ""
    }

    /// Exit 5 and a report whose first line is `headline`.
    static func expectDivergent(_ r: CLIResult, _ headline: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.code == 5, "a divergence exits 5: \(r)", sourceLocation: sourceLocation)
        #expect(r.firstLine == headline, "\(r)", sourceLocation: sourceLocation)
    }

    // MARK: consistent

    @Test("the unchanged script replays a succeeded, a failed and a running history")
    func unchanged() async throws {
        for ending in [Ending.succeeded, .failed, .running] {
            let sb = try await Sandbox()
            defer { sb.cleanup() }
            try await Self.record(sb, ending)
            let effects = sb.read("effects"), home = sb.snapshotHome()
            let r = try await Self.replay(sb, "rollout.lua")
            #expect(r.code == 0, "\(ending): \(r)")
            #expect(sb.read("effects") == effects, "the check runs no step: \(sb.lines())")
            #expect(sb.snapshotHome().changes(since: home).isEmpty, "the check writes nothing to the home")
            #expect(r.firstLine == "consistent: rollout.lua replays the history of execution r", "\(r)")
            switch ending {
            case .succeeded:
                #expect(r.stdout.contains("history:  history.json: execution r of rollout.lua, 5 steps, finished succeeded"), "\(r)")
                #expect(r.stdout.contains("script:   rollout.lua: 5 of 5 steps replayed"), "\(r)")
                #expect(Self.line(r, "next:") == #"next:     the script ends as the history did: succeeded with {"weights":{"blue":10,"green":90}}"#, "\(r)")
            case .failed:
                #expect(r.stdout.contains("7 steps, finished failed"), "\(r)")
                #expect(Self.line(r, "next:").hasPrefix("next:     the script ends as the history did: failed: NonZeroExit:"), "\(r)")
            case .running:
                #expect(r.stdout.contains("4 steps, still running") && r.stdout.contains("3 of 4 steps replayed"), "\(r)")
                #expect(Self.line(r, "next:").hasPrefix(#"next:     a resume would carry on with signal 'verdict' {"name":"verdict","timeout":30.0} at rollout.lua:16 (step 4)"#), "\(r)")
            }
        }
    }

    @Test("comment-only edits (lines shift, calls do not) are consistent")
    func comments() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "commented.lua", [
            ("local p = flow.params", "-- reviewed: 2026-11\n--[[ a block\n   comment ]]\nlocal p = flow.params"),
            ("flow.sleep(p.pause)", "flow.sleep(p.pause) -- let the shift settle"),
        ])
        let r = try await Self.replay(sb, "commented.lua")
        #expect(r.code == 0, "\(r)")
        #expect(r.firstLine.hasPrefix("consistent:"), "\(r)")
    }

    @Test("edits after the last step of a running history are consistent; on a finished one they diverge")
    func editsAfterTheHistory() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .running)
        let edits = [("echo done", "echo finished"),
                     ("return { weights = plan }", "flow.exec{ cmd = \"echo verify >> effects\", shell = true }\nreturn { weights = plan, verified = true }")]
        try Self.edit(sb, "later.lua", edits)
        let r = try await Self.replay(sb, "later.lua")
        #expect(r.code == 0, "\(r)")
        #expect(r.firstLine == "consistent: later.lua replays the history of execution r", "\(r)")
        #expect(Self.line(r, "next:").contains("signal 'verdict'"), "\(r)")

        let done = try await Sandbox()
        defer { done.cleanup() }
        try await Self.record(done, .succeeded)
        try Self.edit(done, "later.lua", edits)
        Self.expectDivergent(try await Self.replay(done, "later.lua"), "divergent at step 5: other arguments")
    }

    // MARK: each kind of divergence

    @Test("a step replaced by another function (kind or name) is caught")
    func anotherStep() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "kind.lua", [("flow.sleep(p.pause)", #"flow.step("wait", function() return p.pause end)"#)])
        let kind = try await Self.replay(sb, "kind.lua")
        Self.expectDivergent(kind, "divergent at step 3: another step")
        #expect(Self.line(kind, "recorded:") == #"recorded: step 3: sleep 'flow.sleep' {"seconds":0.05} at rollout.lua:15"#, "\(kind)")
        #expect(Self.line(kind, "now:") == "now:      step 3: step 'wait' at kind.lua:15", "\(kind)")
        #expect(Self.line(kind, "hint:") == "hint:     another step: the script now asks for step 'wait' where the history has sleep 'flow.sleep'", "\(kind)")
        #expect(kind.stdout.contains("script:   kind.lua: 2 of 5 steps replayed"), "\(kind)")

        try Self.edit(sb, "name.lua", [(#"flow.step("plan""#, #"flow.step("planning""#)])
        let name = try await Self.replay(sb, "name.lua")
        Self.expectDivergent(name, "divergent at step 1: another step")
        #expect(Self.line(name, "recorded:") == "recorded: step 1: step 'plan' at rollout.lua:11", "\(name)")
        #expect(Self.line(name, "now:") == "now:      step 1: step 'planning' at name.lua:11", "\(name)")
    }

    @Test("the same function with other arguments is caught, with both argument tables")
    func otherArguments() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "args.lua", [("echo shift", "echo move")])
        let r = try await Self.replay(sb, "args.lua")
        Self.expectDivergent(r, "divergent at step 2: other arguments")
        #expect(Self.line(r, "recorded:") == #"recorded: step 2: native 'flow.exec' {"cmd":"echo shift 90 >> effects","shell":true} at rollout.lua:14"#, "\(r)")
        #expect(Self.line(r, "now:") == #"now:      step 2: native 'flow.exec' {"cmd":"echo move 90 >> effects","shell":true} at args.lua:14"#, "\(r)")
        #expect(Self.line(r, "hint:") == "hint:     other arguments: native 'flow.exec' is called with other arguments than recorded (cmd differs)", "\(r)")
        #expect(r.stdout.contains("keep the new code behind a condition"), "the report says how to fix it: \(r)")

        let json = try await Self.replay(sb, "args.lua", json: true)
        #expect(json.code == 5, "\(json)")
        let report = try Sandbox.object(json.stdout)
        #expect(report["verdict"] as? String == "divergent")
        let divergence = try #require(report["divergence"] as? [String: Any])
        #expect(divergence["kind"] as? String == "other_arguments" && divergence["seq"] as? Int == 2, "\(divergence)")
        let recorded = (divergence["recorded"] as? [String: Any])?["step"] as? [String: Any]
        let now = (divergence["now"] as? [String: Any])?["step"] as? [String: Any]
        #expect((recorded?["args"] as? [String: Any])?["cmd"] as? String == "echo shift 90 >> effects", "\(divergence)")
        #expect((now?["args"] as? [String: Any])?["cmd"] as? String == "echo move 90 >> effects", "\(divergence)")
        #expect(recorded?["location"] as? String == "rollout.lua:14" && now?["location"] as? String == "args.lua:14")
        #expect(recorded?["digest"] as? String != now?["digest"] as? String, "\(divergence)")
    }

    @Test("a step removed is caught: the body ends while the history holds more steps")
    func stepRemoved() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "removed.lua", [(#"flow.exec{ cmd = "echo done >> effects", shell = true }"#, "")])
        let r = try await Self.replay(sb, "removed.lua")
        Self.expectDivergent(r, "divergent at step 5: a step removed")
        #expect(Self.line(r, "recorded:") == #"recorded: step 5: native 'flow.exec' {"cmd":"echo done >> effects","shell":true} at rollout.lua:20"#, "\(r)")
        #expect(Self.line(r, "now:") == "now:      nothing: the body ends before step 5", "\(r)")
    }

    @Test("a step added where the history had already finished is caught")
    func stepAdded() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "added.lua", [("return { weights = plan }", "flow.sleep(1)\nreturn { weights = plan }")])
        let r = try await Self.replay(sb, "added.lua")
        Self.expectDivergent(r, "divergent at step 6: a step added after the end")
        #expect(Self.line(r, "recorded:") == "recorded: nothing: the history finished (succeeded) after 5 steps", "\(r)")
        #expect(Self.line(r, "now:") == #"now:      step 6: sleep 'flow.sleep' {"seconds":1.0} at added.lua:21"#, "\(r)")
    }

    @Test("a different result is caught: another value, a failure where the history succeeded, a return where it failed")
    func differentOutcome() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "value.lua", [("return { weights = plan }", "return { weights = { blue = 0, green = 100 } }")])
        let value = try await Self.replay(sb, "value.lua")
        Self.expectDivergent(value, "divergent: a different outcome")
        #expect(Self.line(value, "recorded:") == #"recorded: succeeded with {"weights":{"blue":10,"green":90}}"#, "\(value)")
        #expect(Self.line(value, "now:") == #"now:      succeeded with {"weights":{"blue":0,"green":100}}"#, "\(value)")
        #expect(Self.line(value, "hint:") == "hint:     a different outcome: the script now returns another value", "\(value)")

        try Self.edit(sb, "fails.lua", [("return { weights = plan }", #"flow.fail("weights not applied")"#)])
        let fails = try await Self.replay(sb, "fails.lua")
        Self.expectDivergent(fails, "divergent: a different outcome")
        #expect(Self.line(fails, "now:") == "now:      the body raises Failed: fails.lua:21: weights not applied after 5 steps", "\(fails)")
        #expect(Self.line(fails, "hint:") == "hint:     a different outcome: the history succeeded, the script's body now raises Failed", "\(fails)")

        let failed = try await Sandbox()
        defer { failed.cleanup() }
        try await Self.record(failed, .failed)
        try Self.edit(failed, "recovers.lua", [(#"flow.exec{ cmd = "exit 3", shell = true }"#,
                                                 #"pcall(flow.exec, { cmd = "exit 3", shell = true }); return "recovered""#)])
        let recovers = try await Self.replay(failed, "recovers.lua")
        Self.expectDivergent(recovers, "divergent: a different outcome")
        #expect(Self.line(recovers, "recorded:").hasPrefix("recorded: the body raised NonZeroExit:"), "\(recovers)")
        #expect(Self.line(recovers, "now:") == #"now:      the body returns "recovered" after 5 steps"#, "\(recovers)")
    }

    @Test("a different control flow in the on_failure handlers is caught")
    func compensation() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .failed)

        try Self.edit(sb, "undo-args.lua", [("echo rollback", "echo restore")])
        let args = try await Self.replay(sb, "undo-args.lua")
        Self.expectDivergent(args, "divergent at step 6: other arguments (in the on_failure handlers)")
        #expect(Self.line(args, "recorded:") == #"recorded: step 6: native 'flow.exec' {"cmd":"echo rollback >> effects","shell":true} at rollout.lua:7 (on_failure)"#, "\(args)")

        try Self.edit(sb, "undo-removed.lua", [(#"flow.step("report", function() return "rolled back" end)"#, "")])
        let removed = try await Self.replay(sb, "undo-removed.lua")
        Self.expectDivergent(removed, "divergent at step 7: a step removed (in the on_failure handlers)")
        #expect(Self.line(removed, "now:") == "now:      nothing: the on_failure handlers end before step 7", "\(removed)")

        try Self.edit(sb, "undo-added.lua", [(#"flow.step("report", function() return "rolled back" end)"#,
                                               #"flow.step("report", function() return "rolled back" end); flow.sleep(0.5)"#)])
        let added = try await Self.replay(sb, "undo-added.lua")
        Self.expectDivergent(added, "divergent at step 8: a step added after the end (in the on_failure handlers)")

        try Self.edit(sb, "undo-order.lua", [("flow.on_failure(function()\n  flow.exec{ cmd = \"echo rollback >> effects\", shell = true }\n  flow.step(\"report\", function() return \"rolled back\" end)",
                                              "flow.on_failure(function()\n  flow.step(\"report\", function() return \"rolled back\" end)\n  flow.exec{ cmd = \"echo rollback >> effects\", shell = true }")])
        let order = try await Self.replay(sb, "undo-order.lua")
        Self.expectDivergent(order, "divergent at step 6: another step (in the on_failure handlers)")
    }

    @Test("a flow.params change the recorded parameters no longer satisfy is caught")
    func params() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "params.lua", [("flow.params{ green = 100, pause = 0.05 }",
                                          #"flow.params{ green = 100, pause = 0.05, zone = flow.required "string" }"#)])
        let r = try await Self.replay(sb, "params.lua")
        Self.expectDivergent(r, "divergent: the recorded parameters are refused")
        #expect(Self.line(r, "recorded:") == #"recorded: parameters {"green":"90"}"#, "\(r)")
        #expect(Self.line(r, "now:") == "now:      params.lua:4: missing required parameter 'zone' (pass --param zone=VALUE)", "\(r)")

        try Self.edit(sb, "typed.lua", [("green = 100", "green = false")])
        Self.expectDivergent(try await Self.replay(sb, "typed.lua"), "divergent: the recorded parameters are refused")
    }

    // MARK: bad input

    @Test("a script that does not load is a usage error with file:line (exit 2)")
    func syntaxError() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        try Self.edit(sb, "broken.lua", [("flow.sleep(p.pause)", "flow.sleep(p.pause")])
        let r = try await Self.replay(sb, "broken.lua")
        #expect(r.code == 2, "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(r.stderr.hasPrefix("flow: error: broken.lua:16:"), "\(r)")

        let missing = try await Self.replay(sb, "nope.lua")
        #expect(missing.code == 2 && missing.stderr.contains("nope.lua does not exist"), "\(missing)")
    }

    @Test("an unreadable history is a usage error naming the file, the entry and the field (exit 2)")
    func badHistory() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await Self.record(sb, .succeeded)
        let missing = try await Self.replay(sb, "rollout.lua", history: "none.json")
        #expect(missing.code == 2 && missing.stderr.contains("history file none.json does not exist"), "\(missing)")

        var entries = try #require(try JSONSerialization.jsonObject(with: Data(sb.read("history.json").utf8)) as? [[String: Any]])
        entries[2]["seq"] = nil
        try sb.write("damaged.json", String(decoding: try JSONSerialization.data(withJSONObject: entries), as: UTF8.self))
        let damaged = try await Self.replay(sb, "rollout.lua", history: "damaged.json")
        #expect(damaged.code == 2, "\(damaged)")
        #expect(damaged.stderr == "flow: error: damaged.json: entry 3 (completed): missing 'seq'\n", "\(damaged)")

        try sb.write("status.json", try await sb.flow(["status", "r", "--json"]).stdout)
        let status = try await Self.replay(sb, "rollout.lua", history: "status.json")
        #expect(status.code == 2 && status.stderr.contains("not an array of history entries"), "\(status)")
    }
}
