import FlowTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--notify URL` and `flow.notify{...}` against webhooks on 127.0.0.1: delivered in order with
/// a Slack-compatible `text`, never holding up the rollout when the webhook is down or slow,
/// bounded at exit, and journaled so that a resume never posts a completed notification again.
@Suite("notifications")
struct NotifyTests {
    /// A webhook that answers 200 at once and records what it got.
    static func webhook(delay: Duration = .zero) throws -> LocalHTTPServer {
        try LocalHTTPServer { _ in LocalHTTPServer.Response(status: 200, body: "ok", delay: delay) }
    }

    /// The JSON bodies a webhook received, in order (one that is not a JSON object shows as
    /// `{"unparsable": BODY}`).
    static func bodies(_ server: LocalHTTPServer) -> [[String: Any]] {
        server.requests.map { (try? Sandbox.object($0.body)) ?? ["unparsable": $0.body] }
    }

    static func events(_ server: LocalHTTPServer) -> [String] {
        bodies(server).map { $0["event"] as? String ?? "?" }
    }

    @Test("--notify posts JSON with a text field for each milestone, in order; flow.notify posts its own")
    func delivery() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let hook = try Self.webhook(), other = try Self.webhook()
        defer { hook.stop(); other.stop() }
        try sb.write("w.lua", """
            flow.exec{ cmd = "echo one >> effects", shell = true }
            local queued = flow.notify{ text = "half way", fields = { channel = "#deploys" } }
            flow.notify{ text = "to the other one", url = "\(other.baseURL)/x", event = "approval_needed" }
            flow.step("two", function() return 2 end)
            -- Looks that do not wait (the canary checks for promote_full so before each step) are no pause.
            flow.signal("promote_full", { timeout = 0 })
            flow.signal("approve", { timeout = 0 })
            return queued
            """)
        let r = try await sb.flow(["run", "w.lua", "--id", "n", "--notify", hook.baseURL + "/hook"])
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout == "n\ntrue\n", "\(r)")
        #expect(!r.stderr.contains("flow: notify:"), "\(r)")

        #expect(hook.requests.allSatisfy { $0.method == "POST" && $0.path == "/hook" })
        #expect(hook.requests.allSatisfy { $0.headers["content-type"] == "application/json" })
        let bodies = Self.bodies(hook)
        #expect(Self.events(hook) == ["started", "step_completed", "notify", "step_completed", "succeeded"], "\(bodies)")
        for body in bodies {
            #expect((body["text"] as? String)?.isEmpty == false, "\(body)")
            #expect(body["execution_id"] as? String == "n", "\(body)")
        }
        #expect(bodies[0]["workflow"] as? String == "w.lua")
        #expect(bodies[1]["step"] as? String == "flow.exec" && bodies[1]["seq"] as? Int == 1, "\(bodies[1])")
        #expect(bodies[2]["text"] as? String == "half way" && bodies[2]["channel"] as? String == "#deploys", "\(bodies[2])")
        #expect(bodies[2]["key"] as? String == "n:2", "\(bodies[2])")
        #expect(bodies[3]["step"] as? String == "two", "\(bodies[3])")
        #expect(bodies[4]["status"] as? String == "succeeded")

        let others = Self.bodies(other)
        #expect(others.count == 1, "\(others)")
        #expect(others.first?["text"] as? String == "to the other one" && others.first?["event"] as? String == "approval_needed")
    }

    @Test("a failed gate, then the fail-back: gate_failed, rolling_back, rolled_back")
    func gateFailedRolledBack() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let hook = try Self.webhook()
        defer { hook.stop() }
        try FileManager.default.createDirectory(atPath: sb.path("gates"), withIntermediateDirectories: true)
        try sb.write("gates/always_fail.lua", """
            return function(ctx, args) return { status = "fail", reason = "p99 900 ms > 300 ms", value = 900 } end
            """)
        try sb.write("w.lua", """
            flow.on_failure(function() flow.exec{ cmd = "echo restored >> effects", shell = true } end)
            flow.gate("always_fail", {})
            """)
        let r = try await sb.flow(["run", "w.lua", "--id", "g", "--plugins", sb.path("gates"), "--notify", hook.baseURL])
        #expect(r.code == 1, "\(r)")
        #expect(Self.events(hook) == ["started", "gate_failed", "rolling_back", "step_completed", "rolled_back"],
                "\(Self.bodies(hook))")
        let bodies = Self.bodies(hook)
        #expect((bodies[1]["text"] as? String)?.contains("p99 900 ms > 300 ms") == true, "\(bodies[1])")
        #expect(bodies[4]["status"] as? String == "failed" && bodies[4]["rolled_back"] as? Bool == true, "\(bodies[4])")
        #expect((bodies[4]["error"] as? [String: Any])?["name"] as? String == "GateFailed", "\(bodies[4])")
    }

    @Test("waiting for a signal is 'paused'; flow abort is 'aborted', then 'rolled_back' with status aborted")
    func pausedThenAborted() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let hook = try Self.webhook()
        defer { hook.stop() }
        try sb.write("w.lua", """
            flow.on_failure(function() flow.exec{ cmd = "echo restored >> effects", shell = true } end)
            flow.exec{ cmd = "echo shifted >> effects", shell = true }
            flow.signal("approve")
            """)
        let run = try sb.start(["run", "w.lua", "--id", "a", "--notify", hook.baseURL])
        try await sb.waitForStatus("a", "waiting", kind: "signal")
        let abort = try await sb.flow(["abort", "a", "--reason", "latency alert"])
        #expect(abort.code == 0, "\(abort)")
        let r = await run.wait(timeout: .seconds(60))
        #expect(r.code == 6, "\(r)")
        #expect(Self.events(hook) == ["started", "step_completed", "paused", "aborted", "step_completed", "rolled_back"],
                "\(Self.bodies(hook))")
        let bodies = Self.bodies(hook)
        #expect(bodies[2]["signal"] as? String == "approve", "\(bodies[2])")
        #expect((bodies[3]["text"] as? String)?.contains("latency alert") == true, "\(bodies[3])")
        #expect(bodies[5]["status"] as? String == "aborted", "\(bodies[5])")
        #expect(sb.lines() == ["shifted", "restored"])
    }

    @Test("a wait for promote is 'paused'; flow signal ID promote and flow promote ID are 'promoted', once each")
    func promoted() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let hook = try Self.webhook()
        defer { hook.stop() }
        try sb.write("w.lua", """
            flow.signal("promote")
            flow.exec{ cmd = "true", shell = true }
            flow.signal("promote")
            return "done"
            """)
        let run = try sb.start(["run", "w.lua", "--id", "p", "--notify", hook.baseURL])
        try await sb.waitUntil("the first pause", timeout: .seconds(30)) { Self.events(hook).contains("paused") }
        let sent = try await sb.flow(["signal", "p", "promote"])
        #expect(sent.code == 0, "\(sent)")
        try await sb.waitUntil("the second pause", timeout: .seconds(30)) { Self.events(hook).filter { $0 == "paused" }.count == 2 }
        let promote = try await sb.flow(["promote", "p", "--reason", "clean"])
        #expect(promote.code == 0, "\(promote)")
        let r = await run.wait(timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(Self.events(hook) == ["started", "paused", "promoted", "step_completed", "paused", "promoted", "succeeded"],
                "\(Self.bodies(hook))")
        let last = Self.bodies(hook).filter { $0["event"] as? String == "promoted" }.last
        #expect(last?["reason"] as? String == "clean" && (last?["by"] as? String)?.contains("@") == true, "\(String(describing: last))")
    }

    @Test("a webhook that is down: the run succeeds promptly, each failure is logged, the exit is bounded")
    func serverDown() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        // A port that was just free: nothing listens there, so connections are refused.
        let gone = try Self.webhook()
        gone.stop()
        try sb.write("w.lua", execSteps(3))
        let r = try await sb.flow(["run", "w.lua", "--id", "d", "--notify", gone.baseURL + "/hook"], timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout == "d\n\"done\"\n", "\(r)")
        #expect(sb.lines() == ["s1", "s2", "s3"])
        let failures = r.stderr.split(separator: "\n").filter { $0.hasPrefix("flow: notify:") }
        #expect(!failures.isEmpty, "\(r)")
        #expect(r.stderr.contains("not delivered"), "\(r)")
        // The webhook's path may be a secret: log lines name only scheme, host and port.
        #expect(!r.stderr.contains("/hook"), "\(r)")
        // 3 attempts for the first message, 1 for each later one, then at most 5 s of flushing:
        // far below this bound, which only catches a hang.
        #expect(r.seconds < 30, "\(r)")
    }

    @Test("a slow webhook does not slow the rollout; the flush at exit gives up after its bound")
    func slowServer() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let slow = try Self.webhook(delay: .seconds(8))
        defer { slow.stop() }
        try sb.write("w.lua", execSteps(5))
        let r = try await sb.flow(["run", "w.lua", "--id", "s", "--notify", slow.baseURL], timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        #expect(sb.lines() == ["s1", "s2", "s3", "s4", "s5"])
        // Seven messages would take >= 21 s if each step waited for its POST (3 s timeout each);
        // the steps themselves take milliseconds. A generous bound: it only has to tell the two apart.
        let history = try await sb.history("s")
        let times = history.compactMap { $0["time"] as? String }.compactMap(Self.date)
        let span = try #require(times.max()).timeIntervalSince(try #require(times.min()))
        #expect(span < 10, "steps spanned \(span) s: \(history)")
        #expect(r.stderr.contains("flow: notify: gave up after 5 s"), "\(r)")
        #expect(slow.requests.count >= 1, "the webhook was never called")
        // The run, then at most 5 s of flushing and a moment to shut the client down.
        #expect(r.seconds < 30, "\(r)")
    }

    @Test("flow.notify is journaled: after SIGKILL and resume, a completed notification is not posted again")
    func journaledAcrossKill() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let hook = try Self.webhook()
        defer { hook.stop() }
        try sb.write("w.lua", """
            flow.notify{ text = "one", url = "\(hook.baseURL)" }
            flow.signal("go")
            flow.notify{ text = "two", url = "\(hook.baseURL)" }
            return "done"
            """)
        let run = try sb.start(["run", "w.lua", "--id", "k"])
        try await sb.waitForStatus("k", "waiting", kind: "signal")
        try await sb.waitUntil("the first notification", timeout: .seconds(30)) { hook.requests.count >= 1 }
        run.send(SIGKILL)
        let killed = await run.wait()
        #expect(killed.killedBySIGKILL, "\(killed)")

        #expect(try await sb.flow(["signal", "k", "go"]).code == 0)
        let resumed = try await sb.flow(["resume", "k"])
        #expect(resumed.code == 0, "\(resumed)")
        #expect(Self.bodies(hook).map { $0["text"] as? String } == ["one", "two"], "\(Self.bodies(hook))")
        let history = try await sb.history("k")
        let notifies = history.filter { $0["kind"] as? String == "native.start" && $0["name"] as? String == "flow.notify" }
        #expect(notifies.count == 2, "\(history)")
    }

    @Test("a bad --notify URL is a usage error before anything runs; flow.notify without any URL returns false, logged once")
    func badURLAndNoURL() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local a = flow.notify{ text = "one" }
            local b = flow.notify{ text = "two" }
            return { a, b }
            """)
        for url in ["ftp://example.com/hook", "example.com/hook", "http://"] {
            let r = try await sb.flow(["run", "w.lua", "--notify", url])
            #expect(r.code == 2, "\(url): \(r)")
            #expect(r.stderr.contains("--notify"), "\(r)")
        }
        #expect(sb.executionIDs().isEmpty)

        let r = try await sb.flow(["run", "w.lua", "--id", "none"])
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout == "none\n[false,false]\n", "\(r)")
        let lines = r.stderr.split(separator: "\n").filter { $0.contains("flow: notify: flow.notify has no webhook") }
        #expect(lines.count == 1, "\(r)")

        try sb.write("bad.lua", #"flow.notify{ text = "x", url = "file:///etc/passwd" }"#)
        let bad = try await sb.flow(["run", "bad.lua", "--id", "bad"])
        #expect(bad.code == 1, "\(bad)")
        #expect(bad.stderr.contains("bad argument 'url' to 'flow.notify'"), "\(bad)")
    }

    static func date(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }
}
