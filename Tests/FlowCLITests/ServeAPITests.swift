import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `flow serve`'s JSON API against the real binary on 127.0.0.1: every endpoint, bad input,
/// auth, live executions driven by other `flow run` processes. docs/SERVE.md.
@Suite(.timeLimit(.minutes(5)))
struct ServeAPITests {
    @Test("GET endpoints answer JSON for a finished execution; filters, ids and routes are checked")
    func readEndpoints() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(2))
        #expect(try await sb.flow(["run", "w.lua", "--id", "done-1"]).code == 0)
        let server = try await Server.start(sb)

        let list = try await server.get("/api/executions")
        #expect(list.status == 200, "\(list)")
        expectSecurityHeaders(list)
        #expect(list.headers["cache-control"] == "no-store")
        let rows = list.json["executions"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["id"] as? String } == ["done-1"], "\(list)")
        #expect(rows.first?["status"] as? String == "succeeded")
        for (query, count) in [("status=succeeded", 1), ("status=failed", 0), ("workflow=w", 1), ("workflow=w.lua", 1), ("workflow=other", 0)] {
            let r = try await server.get("/api/executions?\(query)")
            #expect(r.status == 200 && (r.json["executions"] as? [Any])?.count == count, "\(query): \(r)")
        }
        expectError(try await server.get("/api/executions?status=bogus"), 400, "status must be one of")
        expectError(try await server.get("/api/executions?colour=red"), 400, "unknown query parameter 'colour'")

        let one = try await server.get("/api/executions/done-1")
        #expect(one.status == 200 && one.json["status"] as? String == "succeeded" && one.json["steps"] as? Int == 2, "\(one)")
        let history = try await server.get("/api/executions/done-1/history")
        #expect(history.status == 200, "\(history)")
        let cli = try await sb.history("done-1")
        #expect(history.jsonArray.count == cli.count && history.jsonArray.last?["kind"] as? String == "finished", "\(history)")
        let timeline = try await server.get("/api/executions/done-1/timeline")
        #expect(timeline.status == 200, "\(timeline)")
        #expect((timeline.json["steps"] as? [Any])?.count == 2 && timeline.json["execution"] is [String: Any], "\(timeline)")
        #expect((timeline.json["outcome"] as? [String: Any])?["status"] as? String == "succeeded")
        // The events of a finished execution: every record, then the end.
        let events = try await server.get("/api/executions/done-1/events")
        #expect(events.status == 200 && events.headers["content-type"]?.hasPrefix("text/event-stream") == true, "\(events)")
        #expect(events.body.components(separatedBy: "\ndata: {").count - 1 == cli.count + 1, "\(events.body)")
        #expect(events.body.contains("event: end"))

        expectError(try await server.get("/api/executions/nope"), 404, "no execution 'nope'")
        expectError(try await server.get("/api/executions/nope/history"), 404)
        expectError(try await server.get("/api/executions/nope/timeline"), 404)
        expectError(try await server.get("/api/executions/nope/events"), 404)
        expectError(try await server.post("/api/executions/nope/pause"), 404)
        expectError(try await server.get("/api/executions/.hidden"), 400, "invalid execution id")
        expectError(try await server.get("/api/nothing-here"), 404, "openapi.json")
        expectError(try await server.request("DELETE", "/api/executions/done-1"), 404)
        expectError(try await server.post("/api/executions/done-1/pause"), 409, "already finished (succeeded)")
        expectError(try await server.post("/api/executions/done-1/signal", #"{"name":"go"}"#), 409)

        let health = try await server.get("/healthz")
        #expect(health.status == 200 && health.json["status"] as? String == "ok", "\(health)")
        let index = try await server.get("/api")
        #expect(index.status == 200, "\(index)")
        expectSecurityHeaders(index)
        let stopped = await server.stop()
        #expect(stopped.code == 0, "\(stopped)")
    }

    @Test("operator POSTs reject bad bodies with a 4xx JSON error and change nothing")
    func badActionBodies() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", waitForGo)
        let run = try sb.start(["run", "w.lua", "--id", "live"])
        try await sb.waitForStatus("live", "waiting", kind: "signal")
        let server = try await Server.start(sb)
        let path = "/api/executions/live"
        expectError(try await server.post(path + "/pause", "{not json"), 400, "not valid JSON")
        expectError(try await server.post(path + "/pause", "[1]"), 400, "must be a JSON object")
        expectError(try await server.post(path + "/pause", #"{"why":"x"}"#), 400, "unknown field 'why'")
        expectError(try await server.post(path + "/pause", #"{"reason":7}"#), 400, "'reason'")
        expectError(try await server.post(path + "/promote", #"{"force":true}"#), 400, "only applies with 'full'")
        expectError(try await server.post(path + "/promote", #"{"full":"yes"}"#), 400, "'full'")
        expectError(try await server.post(path + "/signal", "{}"), 400, "'name' is required")
        expectError(try await server.post(path + "/signal", #"{"name":""}"#), 400, "'name'")
        let big = #"{"reason":""# + String(repeating: "x", count: 70 * 1024) + #""}"#
        expectError(try await server.post(path + "/abort", big), 413, "64 KiB")
        #expect(sb.inboxFiles("live").isEmpty, "a refused request reached the inbox: \(sb.inboxFiles("live"))")
        #expect(try await sb.statusName("live") == "waiting")
        run.send(SIGTERM)
        _ = await run.wait()
        #expect(await server.stop().code == 0)
    }

    @Test("SSE delivers each journal record as another process appends it; a POSTed signal reaches the workflow")
    func eventsFollowALiveRun() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", waitForGo)
        let run = try sb.start(["run", "w.lua", "--id", "sse"])
        try await sb.waitForStatus("sse", "waiting", kind: "signal")
        let server = try await Server.start(sb)

        let conn = try HTTPConnection(port: server.port)
        defer { conn.close() }
        try conn.send(method: "GET", path: "/api/executions/sse/events", headers: [:], body: nil)
        var received = ""
        func readUntil(_ marker: String) async throws {
            while !received.contains(marker) {
                guard let chunk = try await conn.readSome() else { throw HarnessError("stream ended before \(marker): \(received)") }
                received += String(decoding: chunk, as: UTF8.self)
            }
        }
        try await readUntil(#""kind":"signal.start""#)
        #expect(received.contains("text/event-stream"), "\(received)")
        #expect(!received.contains(#""kind":"finished""#))

        let signal = try await server.post("/api/executions/sse/signal", #"{"name":"go","data":{"by":"alice","n":2}}"#)
        #expect(signal.status == 202, "\(signal)")
        #expect(signal.json["requested"] as? String == "signal" && signal.json["applied"] as? Bool == true, "\(signal)")
        expectSecurityHeaders(signal)

        try await readUntil(#""result":{"by":"alice","n":2}"#)
        try await readUntil("event: end")
        while let chunk = try await conn.readSome() { received += String(decoding: chunk, as: UTF8.self) }  // the server closes it
        #expect(received.contains(#""kind":"finished","name":"succeeded""#), "\(received)")
        let r = await run.wait()
        #expect(r.code == 0, "\(r)")
        #expect(sb.lines() == ["a", "b"])
        let history = try await sb.history("sse")
        let taken = history.first { ($0["detail"] as? String ?? "").contains("signal taken") }
        #expect(taken != nil, "\(history)")
        #expect(await server.stop().code == 0)
    }

    @Test("pause, unpause and abort reach a live execution through the API, journaled as sent via flow serve")
    func operatorActionsLive() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", waitForGo)
        let run = try sb.start(["run", "w.lua", "--id", "ops"])
        try await sb.waitForStatus("ops", "waiting", kind: "signal")
        let server = try await Server.start(sb)

        let pause = try await server.post("/api/executions/ops/pause", #"{"reason":"checking an alert"}"#)
        #expect(pause.status == 202 && pause.json["requested"] as? String == "pause", "\(pause)")
        try await sb.waitForStatus("ops", "paused")
        let paused = try await server.get("/api/executions/ops")
        #expect(paused.json["status"] as? String == "paused", "\(paused)")
        let last = paused.json["last_operator_action"] as? String ?? ""
        #expect(last.contains("via flow serve") && last.contains("checking an alert"), "\(paused)")

        let unpause = try await server.post("/api/executions/ops/unpause")
        #expect(unpause.status == 202, "\(unpause)")
        try await sb.waitForStatus("ops", "waiting")
        let promote = try await server.post("/api/executions/ops/promote", #"{"reason":"looks good"}"#)
        #expect(promote.status == 202 && promote.json["requested"] as? String == "promote", "\(promote)")

        let abort = try await server.post("/api/executions/ops/abort", #"{"reason":"p99 up"}"#)
        #expect(abort.status == 202 && abort.json["requested"] as? String == "abort", "\(abort)")
        let r = await run.wait(timeout: .seconds(60))
        #expect(r.code == 6, "\(r)")
        let done = try await server.get("/api/executions/ops")
        #expect(done.json["status"] as? String == "aborted", "\(done)")
        expectError(try await server.post("/api/executions/ops/abort"), 409, "already finished (aborted)")
        #expect(await server.stop().code == 0)
    }

    @Test("an abort of an execution no process drives is only posted: the answer says the next resume applies it")
    func abortInterrupted() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", waitForGo)
        let run = try sb.start(["run", "w.lua", "--id", "idle"])
        try await sb.waitForStatus("idle", "waiting", kind: "signal")
        run.send(SIGKILL)
        _ = await run.wait()
        let server = try await Server.start(sb)
        #expect(try await server.get("/api/executions/idle").json["status"] as? String == "interrupted")
        let abort = try await server.post("/api/executions/idle/abort")
        #expect(abort.status == 202, "\(abort)")
        #expect(abort.json["applied"] as? Bool == false && abort.json["driver"] is NSNull, "\(abort)")
        #expect((abort.json["note"] as? String ?? "").contains("applied when the execution resumes"), "\(abort)")
        #expect(sb.inboxFiles("idle").count == 1)
        let resumed = try await sb.flow(["resume", "idle"], timeout: .seconds(60))
        #expect(resumed.code == 6, "\(resumed)")
        #expect(try await sb.statusName("idle") == "aborted")
        #expect(await server.stop().code == 0)
    }

    @Test("with a token every request needs it (constant-time checked); /healthz does not; the token is never echoed")
    func tokenAuth() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", waitForGo)
        let run = try sb.start(["run", "w.lua", "--id", "auth"])
        try await sb.waitForStatus("auth", "waiting", kind: "signal")
        let token = "s3cret-token-\(UInt32.random(in: 0...UInt32.max))"
        let server = try await Server.start(sb, env: ["FLOW_TOKEN": token])
        for path in ["/api/executions", "/api/executions/auth", "/metrics", "/openapi.json", "/api", "/", "/executions/auth"] {
            let none = try await server.get(path)
            expectError(none, 401, "Authorization: Bearer")
            #expect(none.headers["www-authenticate"] == "Bearer", "\(none)")
            let wrong = try await server.get(path, headers: ["Authorization": "Bearer \(token)x"])
            expectError(wrong, 401)
            #expect(!wrong.body.contains(token), "the token was echoed: \(wrong)")
            let basic = try await server.get(path, headers: ["Authorization": "Basic \(token)"])
            expectError(basic, 401)
            let right = try await server.get(path, headers: ["Authorization": "Bearer \(token)"])
            #expect(right.status == 200, "\(path): \(right)")
            #expect(!right.body.contains(token))
        }
        #expect(try await server.get("/healthz").status == 200)
        // A browser cannot send a header for a page or an EventSource: GETs take ?token=, the
        // dashboard's static script and style need none, and a POST never takes the query.
        #expect(try await server.get("/executions/auth?token=\(token)").status == 200)
        #expect(try await server.get("/api/executions?token=\(token)").status == 200)
        expectError(try await server.get("/executions/auth?token=\(token)x"), 401)
        #expect(try await server.get("/dashboard.js").status == 200)
        #expect(try await server.get("/dashboard.css").status == 200)
        expectError(try await server.post("/api/executions/auth/pause?token=\(token)"), 401)
        expectError(try await server.post("/api/executions/auth/abort"), 401)
        expectError(try await server.post("/api/executions/auth/signal", #"{"name":"go"}"#, headers: ["Authorization": "Bearer nope"]), 401)
        #expect(sb.inboxFiles("auth").isEmpty)
        let signal = try await server.post("/api/executions/auth/signal", #"{"name":"go"}"#, headers: ["Authorization": "Bearer \(token)"])
        #expect(signal.status == 202, "\(signal)")
        #expect(await run.wait(timeout: .seconds(60)).code == 0)
        let stopped = await server.stop()
        #expect(stopped.code == 0, "\(stopped)")
        #expect(!stopped.stderr.contains(token) && !stopped.stdout.contains(token), "\(stopped)")

        // --token works as FLOW_TOKEN does.
        let withFlag = try await Server.start(sb, args: ["--token", token])
        expectError(try await withFlag.get("/api/executions"), 401)
        #expect(try await withFlag.get("/api/executions", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        #expect(await withFlag.stop().code == 0)
    }

    @Test("a non-loopback --listen without a token is refused (exit 2); bad --listen is a usage error")
    func nonLoopbackNeedsToken() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let r = try await sb.flow(["serve", "--listen", "0.0.0.0:0"], env: ["FLOW_TOKEN": ""])
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains("not a loopback address") && r.stderr.contains("token"), "\(r)")
        for bad in ["nonsense", "127.0.0.1:99999", "127.0.0.1:x"] {
            let b = try await sb.flow(["serve", "--listen", bad])
            #expect(b.code == 2, "\(bad): \(b)")
        }
        // With a token it starts (all interfaces), and 127.0.0.1 reaches it.
        let p = try sb.start(["serve", "--listen", "0.0.0.0:0", "--token", "t0k3n"])
        try await sb.waitUntil("flow serve on 0.0.0.0", timeout: .seconds(60)) { p.stderr.contains("flow: serving http://0.0.0.0:") }
        let port = UInt16(p.stderr.split(separator: "\n").first { $0.contains("serving") }!.split(separator: ":").last!)!
        let server = Server(process: p, port: port, token: "t0k3n")
        #expect(try await server.get("/api/executions").status == 200)
        expectError(try await server.get("/api/executions", headers: ["Authorization": "Bearer wrong"]), 401)
        #expect(await server.stop().code == 0)
    }

    @Test("SIGTERM and SIGINT stop the server with exit 0, even with an event stream open")
    func stopsCleanly() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", waitForGo)
        let run = try sb.start(["run", "w.lua", "--id", "open"])
        try await sb.waitForStatus("open", "waiting", kind: "signal")
        for sig in [SIGTERM, SIGINT] {
            let server = try await Server.start(sb)
            let conn = try HTTPConnection(port: server.port)
            defer { conn.close() }
            try conn.send(method: "GET", path: "/api/executions/open/events", headers: [:], body: nil)
            var got = ""
            while !got.contains("signal.start"), let chunk = try await conn.readSome() { got += String(decoding: chunk, as: UTF8.self) }
            server.process.send(sig)
            let r = await server.process.wait(timeout: .seconds(30))
            #expect(r.code == 0 && !r.timedOut, "signal \(sig): \(r)")
        }
        run.send(SIGTERM)
        _ = await run.wait()
    }
}
