import FlowTestSupport
import Foundation
import Testing

/// The AWS secret key and session token must appear nowhere flow writes or serves. CanaryTests
/// checks a clean run (journal, output, `--debug` log); here the worst case: an endpoint that
/// echoes the signed request (session token included) in its error messages, a crash in the
/// middle (FLOW_CRASH_AT) and a resume with `--debug`, then everything `flow serve` offers on that
/// home, `flow history`, `flow show` and `flow status`, and `flow test` with the keys exported.
@Suite(.serialized) struct SecretLeakTests {
    static let fixture = "rollouts-secrets"
    static let secrets = [RolloutWorld.secret, RolloutWorld.sessionToken]

    func expectNoSecret(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in Self.secrets {
            #expect(!text.contains(secret), "\(what) holds a secret", sourceLocation: sourceLocation)
        }
    }

    @Test func noSecretInEchoedErrorsCrashesResumesOrWhatServeShows() async throws {
        try await RolloutWorld.with(fixture: Self.fixture) { w in
            let port = try #require(Int(w.fixture.endpoint.split(separator: ":").last ?? ""))
            // The 10 % change is answered 7 times with its own signed head echoed back: the AWS
            // client's 5 attempts fail the step's first attempt (journaled), the step's retry succeeds.
            let proxy = try FaultProxy(upstreamPort: port, script: Array(repeating: .echoRequest(status: 400, code: "Throttling"), count: 7),
                                       only: "<Weight>10</Weight>")
            defer { proxy.stop() }
            let env = ["AWS_ENDPOINT_URL": proxy.endpoint]
            let params = try w.params()
            let crashed = await (try w.startCanary(id: "leak", params: params, extraArgs: ["--debug"],
                                                   env: env.merging(["FLOW_CRASH_AT": "after-intent:5"]) { $1 }))
                .wait(timeout: .seconds(60))
            #expect(crashed.code != 0, "the crash point was not reached: \(crashed)")
            #expect(proxy.faulted == 7)
            var everything = crashed.stdout + crashed.stderr
            // The echoed head reached the journal as the failed attempt's error.
            let history = try await w.sandbox.flow(["history", "leak", "--json"])
            #expect(history.stdout.contains("you sent: POST"), "the echo fault did not reach the journal")
            let resumed = try await w.sandbox.flow(["resume", "leak", "--debug"], env: w.env.merging(env) { $1 }, timeout: .seconds(60))
            #expect(resumed.code == 0, "\(resumed)")
            everything += resumed.stdout + resumed.stderr
            for args in [["history", "leak", "--json"], ["history", "leak"], ["show", "leak"], ["show", "leak", "--json"],
                         ["status", "leak", "--json"], ["list"]] {
                let r = try await w.sandbox.flow(args)
                everything += r.stdout + r.stderr
            }
            for (_, bytes) in w.sandbox.snapshotHome().files { everything += String(decoding: bytes, as: UTF8.self) }
            expectNoSecret(everything, "the output, the journal or the home")

            let server = try await Server.start(w.sandbox, env: w.env)
            var served = ""
            for path in ["/api/executions", "/api/executions/leak", "/api/executions/leak/history", "/api/executions/leak/timeline",
                         "/api/executions/leak/events", "/metrics", "/", "/executions/leak", "/executions/leak/fragment"] {
                let reply = try await server.get(path)
                #expect(reply.status == 200, "\(path): \(reply.status)")
                served += reply.body
            }
            #expect(served.contains("you sent: POST"), "the API did not show the echoed error")
            let stopped = await server.stop()
            expectNoSecret(served + stopped.stdout + stopped.stderr, "flow serve")
        }
    }

    @Test func flowTestReportsHoldNoSecret() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let env = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLEFLOWTEST", "AWS_SECRET_ACCESS_KEY": RolloutWorld.secret,
                   "AWS_SESSION_TOKEN": RolloutWorld.sessionToken, "AWS_EC2_METADATA_DISABLED": "true"]
        let r = try await sb.flow(["test", RolloutWorld.workflow("canary_test.lua"), "--json", "--keep"], env: env, home: false,
                                  timeout: .seconds(120))
        #expect(r.code == 0, "\(r)")
        var everything = r.stdout + r.stderr
        var homes = 0
        // --keep prints where each run's home is (--home DIR): read every file there too, then remove it.
        for line in (r.stdout + r.stderr).split(separator: "\n") {
            for word in line.split(separator: " ") where word.hasPrefix("/tmp/flow-test-") {
                defer { try? FileManager.default.removeItem(atPath: String(word)) }
                homes += 1
                if let files = FileManager.default.enumerator(atPath: String(word)) {
                    for case let file as String in files {
                        if let data = FileManager.default.contents(atPath: String(word) + "/" + file) {
                            everything += String(decoding: data, as: UTF8.self)
                        }
                    }
                }
            }
        }
        #expect(homes > 0, "flow test --keep named no home")
        expectNoSecret(everything, "flow test")
    }
}
