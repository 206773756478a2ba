import FlowAWS
import FlowEngine
import FlowLua
import FlowPluginSupport
import FlowTestSupport
import Foundation
import Testing
@testable import FlowHealth

/// The health plugin end to end: gates and raw calls against moto (its own server,
/// "plugins-health"), literal answers, the strict fixture, and local HTTP servers.
@Suite(.serialized) struct HealthPluginTests {
    static func moto() async throws -> MotoServer { try await MotoServer.shared("plugins-health") }

    // MARK: targets

    @Test func targetsByArnAndByName() async throws {
        let moto = try await Self.moto()
        try await HealthTest.with(endpoint: moto.endpoint) { aws in
            let arn = try await AWSSeed(try PluginTest.client(aws)).loadBalancer("green").targetGroupArn
            let health = HealthPlugin(aws: aws)
            let byArn = try await HealthTest.gate(health, "targets", ["target_group": .string(arn)])
            #expect(byArn.status == .pass && byArn.reason == "2 of 2 targets healthy (need 100%)")
            #expect(byArn.value?["healthy"] == 2 && byArn.value?["total"] == 2)
            let byName = try await HealthTest.gate(health, "targets", ["target_group": "green-tg", "min_healthy": 2])
            #expect(byName.status == .pass && byName.reason == "2 of 2 targets healthy (need 2)")
            guard case .array(let targets)? = byName.value?["targets"] else { Issue.record("no targets"); return }
            #expect(Set(targets.map { $0["id"] }) == ["10.0.0.5", "10.0.1.6"] && targets.allSatisfy { $0["port"] == 8080 })

            let raw = try await PluginTest.call(health, "target_health", ["target_group": "green-tg"])
            #expect(raw["target_group"] == .string(arn) && raw["name"] == "green-tg")
        }
    }

    @Test func emptyAndMissingTargetGroups() async throws {
        let moto = try await Self.moto()
        try await HealthTest.with(endpoint: moto.endpoint, region: "eu-west-3") { aws in
            _ = try await AWSSeed(try PluginTest.client(aws)).loadBalancer("empty", targets: [], region: "eu-west-3")
            let health = HealthPlugin(aws: aws)
            let empty = try await HealthTest.gate(health, "targets", ["target_group": "empty-tg"])
            #expect(empty.status == .fail && empty.reason == "no targets registered in TG empty-tg")
            // A measurement error is a StepFailure, not a verdict: the engine counts it as an error.
            let missing = await PluginTest.failure { _ = try await HealthTest.gate(health, "targets", ["target_group": "nope"]) }
            #expect(missing?.name == "TargetGroupNotFound" && missing?.retryable == false)
            // The region the call names wins over the environment's.
            let elsewhere = await PluginTest.failure {
                _ = try await HealthTest.gate(health, "targets", ["target_group": "empty-tg", "region": "us-west-2"])
            }
            #expect(elsewhere?.name == "TargetGroupNotFound")
        }
    }

    @Test func unhealthyTargetsFromLiteralAnswers() async throws {
        // moto's targets are always healthy (DESIGN.md): this answer is the real API's shape.
        let server = try LocalHTTPServer { request in
            guard request.body.contains("Action=DescribeTargetHealth") else { return .notFound }
            return .ok("""
                <DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
                <DescribeTargetHealthResult><TargetHealthDescriptions>
                <member><Target><Id>10.0.0.5</Id><Port>80</Port></Target><TargetHealth><State>healthy</State></TargetHealth></member>
                <member><Target><Id>10.0.1.5</Id><Port>80</Port></Target><TargetHealth><State>unhealthy</State>
                  <Reason>Target.ResponseCodeMismatch</Reason><Description>Health checks failed with these codes: [502]</Description>
                </TargetHealth></member>
                </TargetHealthDescriptions></DescribeTargetHealthResult></DescribeTargetHealthResponse>
                """)
        }
        defer { server.stop() }
        try await HealthTest.with(endpoint: server.baseURL) { aws in
            let arn = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/green/abc"
            let r = try await HealthTest.gate(HealthPlugin(aws: aws), "targets", ["target_group": .string(arn)])
            #expect(r.status == .fail)
            #expect(r.reason == "1 of 2 targets healthy (need 100%): 10.0.1.5:80 unhealthy (Target.ResponseCodeMismatch)")
            guard case .array(let targets)? = r.value?["targets"] else { Issue.record("no targets"); return }
            #expect(targets[1]["description"] == "Health checks failed with these codes: [502]")
            let half = try await HealthTest.gate(HealthPlugin(aws: aws), "targets", ["target_group": .string(arn), "min_healthy": "50%"])
            #expect(half.status == .pass)
        }
    }

    @Test func unhealthyTargetThroughTheStrictFixture() async throws {
        let fixture = try await FixtureServer.shared("HealthPluginTests")
        let seed = try await fixture.seed()
        try await fixture.setTargetHealth(targetGroupArn: seed.green.tgArn, state: "unhealthy", reason: "Target.Timeout",
                                          targetID: seed.green.targets[0])
        try await HealthTest.with(endpoint: fixture.endpoint) { aws in
            let r = try await HealthTest.gate(HealthPlugin(aws: aws), "targets", ["target_group": .string(seed.green.tgName)])
            #expect(r.status == .fail)
            #expect(r.reason.contains("\(seed.green.targets[0]):80 unhealthy (Target.Timeout)"), "\(r.reason)")
            #expect(r.value?["unhealthy"] == 1 && r.value?["healthy"] == .int(Int64(seed.green.targets.count - 1)))
            try await fixture.setTargetHealth(targetGroupArn: seed.green.tgArn, state: "initial", reason: "Elb.RegistrationInProgress",
                                              targetID: seed.green.targets[0])
            let registering = try await HealthTest.gate(HealthPlugin(aws: aws), "targets", ["target_group": .string(seed.green.tgArn)])
            #expect(registering.status == .inconclusive)
        }
    }

    // MARK: all

    @Test func allMeasuresEachGateOnce() async throws {
        let moto = try await Self.moto()
        let server = try LocalHTTPServer { request in
            request.path == "/down" ? LocalHTTPServer.Response(status: 503, body: "") : .ok("ok")
        }
        defer { server.stop() }
        try await HealthTest.with(endpoint: moto.endpoint, region: "us-west-2") { aws in
            let seed = AWSSeed(try PluginTest.client(aws, region: "eu-west-3"))
            _ = try await seed.loadBalancer("green", region: "eu-west-3")
            try await seed.alarm("green-5xx", state: "OK")
            let health = HealthPlugin(aws: aws)
            // The outer region reaches every AWS check that does not name its own.
            var checks: [String: LuaValue] = [
                "region": "eu-west-3", "targets": ["target_group": "green-tg"], "alarms": ["names": ["green-5xx"]],
                "http": ["url": .string(server.baseURL + "/up"), "samples": 2, "interval": 0],
            ]
            let ok = try await HealthTest.gate(health, "all", .table(checks))
            #expect(ok.status == .pass, "\(ok.reason)")
            #expect(ok.reason.hasPrefix("targets: 2 of 2 targets healthy (need 100%); alarms: green-5xx is OK; http: 2 of 2 GET"))
            #expect(ok.value?["targets"]["value"]["healthy"] == 2)

            checks["http"] = ["url": .string(server.baseURL + "/down"), "samples": 2, "interval": 0]
            let down = try await HealthTest.gate(health, "all", .table(checks))
            #expect(down.status == .fail && down.reason.hasPrefix("http: 0 of 2 GET") && down.reason.hasSuffix("2 × 503"))

            #expect(PluginTest.argumentError(health, "all", ["region": "x"])?.problem == "at least one of targets, alarms, metric, http is required")
            #expect(PluginTest.argumentError(health, "all", ["targets": ["target_group": ""]])?.path == ["targets", "target_group"])
            #expect(PluginTest.argumentError(health, "all", ["http": ["url": "ftp://x"]])?.path == ["http", "url"])
            #expect(PluginTest.argumentError(health, "all", ["alarms": ["names": "a", "prefix": "b"]])?.path == ["alarms"])
            #expect(PluginTest.argumentError(health, "all", ["targets": ["target_group": "x", "min_helthy": 1]]) != nil)
        }
    }

    // MARK: alarms

    @Test func alarmsByPrefixAndByName() async throws {
        let moto = try await Self.moto()
        try await HealthTest.with(endpoint: moto.endpoint) { aws in
            let seed = AWSSeed(try PluginTest.client(aws))
            try await seed.alarm("green-5xx", state: "OK")
            try await seed.alarm("green-latency", state: "OK")
            try await seed.alarm("blue-5xx", state: "ALARM")
            let health = HealthPlugin(aws: aws)
            let ok = try await HealthTest.gate(health, "alarms", ["prefix": "green-"])
            #expect(ok.status == .pass && ok.reason == "all 2 alarms OK")

            try await seed.alarm("green-latency", state: "ALARM")
            let firing = try await HealthTest.gate(health, "alarms", ["names": ["green-5xx", "green-latency"]])
            #expect(firing.status == .fail && firing.reason == "1 of 2 alarms in ALARM: green-latency (set by test)")

            let typo = try await HealthTest.gate(health, "alarms", ["names": "green-5xxx"])
            #expect(typo.status == .fail && typo.reason == "no alarms named green-5xxx")
            let nothing = try await HealthTest.gate(health, "alarms", ["prefix": "red-"])
            #expect(nothing.status == .fail)

            try await seed.alarm("green-latency", state: "INSUFFICIENT_DATA")
            let noData = try await HealthTest.gate(health, "alarms", ["prefix": "green-"])
            #expect(noData.status == .inconclusive)
            let strict = try await HealthTest.gate(health, "alarms", ["prefix": "green-", "insufficient_data": "fail"])
            #expect(strict.status == .fail)

            let raw = try await PluginTest.call(health, "alarm_states", ["prefix": "green-"])
            #expect(raw["alarms"] == [["name": "green-5xx", "state": "OK", "reason": "set by test"],
                                      ["name": "green-latency", "state": "INSUFFICIENT_DATA", "reason": "set by test"]])
        }
    }

    @Test func alarmArgumentsAreChecked() async throws {
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let health = HealthPlugin(aws: aws)
            #expect(PluginTest.argumentError(health, "alarms", ["names": "a", "prefix": "b"])?.problem == "give names or prefix, not both")
            #expect(PluginTest.argumentError(health, "alarms", [:])?.problem == "names or prefix is required")
            #expect(PluginTest.argumentError(health, "alarms", ["prefix": ""])?.path == ["prefix"])
            #expect(PluginTest.argumentError(health, "alarms", ["names": [1]])?.path == ["names", "[1]"])
            let policy = PluginTest.argumentError(health, "alarms", ["prefix": "x", "insufficient_data": "ignore"])
            #expect(policy?.problem == "invalid value 'ignore' (expected one of: inconclusive, fail, pass)")
            #expect(PluginTest.argumentError(health, "alarm_states", ["names": ["a", "b"]]) == nil)
        }
    }

    // MARK: metrics

    @Test func metricAgainstAThreshold() async throws {
        let moto = try await Self.moto()
        try await HealthTest.with(endpoint: moto.endpoint) { aws in
            let dims = ["TargetGroup": "targetgroup/green/abc", "LoadBalancer": "app/green/123"]
            let now = Date()
            try await AWSSeed(try PluginTest.client(aws)).metricData(
                namespace: "Flow", metric: "Errors", dimensions: dims.sorted { $0.key < $1.key }.map { CloudWatch.Dimension(name: $0.key, value: $0.value) },
                values: [(now - 150, 2), (now - 90, 3), (now - 30, 4)])
            let health = HealthPlugin(aws: aws)
            let args: [String: LuaValue] = ["namespace": "Flow", "metric": "Errors", "dimensions": .table(dims.mapValues { .string($0) }),
                                            "threshold": 20, "comparison": "<"]
            let pass = try await HealthTest.gate(health, "metric", .table(args))
            #expect(pass.status == .pass && pass.reason == "Errors Sum = 9 over 300 s (must be < 20)", "\(pass.reason)")
            #expect(pass.value?["value"] == 9.0)
            var strict = args
            strict["threshold"] = 5
            let fail = try await HealthTest.gate(health, "metric", .table(strict))
            #expect(fail.status == .fail && fail.reason == "Errors Sum = 9 over 300 s, must be < 5")
            strict["min_samples"] = 10
            #expect(try await HealthTest.gate(health, "metric", .table(strict)).status == .inconclusive)

            var other = args
            other["dimensions"] = ["TargetGroup": "targetgroup/blue/def"]
            let quiet = try await HealthTest.gate(health, "metric", .table(other))
            #expect(quiet.status == .inconclusive && quiet.reason == "only 0 datapoints of Errors Sum in the last 300 s (need 1)")
            other["min_samples"] = 0
            #expect(try await HealthTest.gate(health, "metric", .table(other)).status == .pass)

            let raw = try await PluginTest.call(health, "metric_data", ["namespace": "Flow", "metric": "Errors",
                                                                        "dimensions": .table(dims.mapValues { .string($0) })])
            guard case .array(let values) = raw["values"], case .array(let times) = raw["timestamps"] else {
                Issue.record("no values in \(raw)"); return
            }
            #expect(values.count == times.count && !values.isEmpty)
            let numbers: [Double] = values.compactMap { if case .double(let d) = $0 { d } else { nil } }
            #expect(numbers.reduce(0, +) == 9)
        }
    }

    @Test func metricArgumentsAreChecked() async throws {
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let health = HealthPlugin(aws: aws)
            let base: [String: LuaValue] = ["namespace": "N", "metric": "M", "threshold": 1, "comparison": "<"]
            #expect(PluginTest.argumentError(health, "metric", .table(base)) == nil)
            var bad = base
            bad["comparison"] = "=="
            #expect(PluginTest.argumentError(health, "metric", .table(bad))?.problem == "invalid value '==' (expected one of: <, <=, >, >=)")
            bad = base
            bad["period"] = 45
            #expect(PluginTest.argumentError(health, "metric", .table(bad))?.path == ["period"])
            bad = base
            bad["window"] = 30
            #expect(PluginTest.argumentError(health, "metric", .table(bad))?.path == ["window"])
            bad = base
            bad.removeValue(forKey: "threshold")
            #expect(PluginTest.argumentError(health, "metric", .table(bad))?.path == ["threshold"])
        }
    }

    // MARK: http

    static func server(_ route: @escaping LocalHTTPServer.Route) throws -> LocalHTTPServer { try LocalHTTPServer(route: route) }

    @Test func httpGatePassesOn200s() async throws {
        let server = try Self.server { _ in .ok("ok") }
        defer { server.stop() }
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let url = server.baseURL + "/health"
            let r = try await HealthTest.gate(HealthPlugin(aws: aws), "http", ["url": .string(url), "samples": 4, "interval": 0.01,
                                                                                 "max_latency_ms": 1000])
            #expect(r.status == .pass, "\(r.reason)")
            #expect(r.reason.hasPrefix("4 of 4 GET \(url) returned 200 (need 100%); p99 latency "))
            #expect(r.value?["samples"] == 4 && r.value?["success"] == 4 && r.value?["statuses"] == ["200": 4])
            #expect(server.requests.count == 4 && server.requests.allSatisfy { $0.path == "/health" && $0.method == "GET" })
        }
    }

    @Test func httpGateCountsServerErrors() async throws {
        let server = try Self.server { request in
            request.path == "/flaky" ? LocalHTTPServer.Response(status: 500, body: "boom") : .ok("ok")
        }
        defer { server.stop() }
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let health = HealthPlugin(aws: aws)
            let r = try await HealthTest.gate(health, "http", ["url": .string(server.baseURL + "/flaky"), "samples": 3, "interval": 0])
            #expect(r.status == .fail && r.reason.hasSuffix("returned 200 (need 100%): 3 × 500"))
            let accepted = try await HealthTest.gate(health, "http", ["url": .string(server.baseURL + "/flaky"), "samples": 2,
                                                                      "interval": 0, "expect_status": [200, 500]])
            #expect(accepted.status == .pass)
        }
    }

    @Test func httpGateMeasuresLatencyAndTimesOut() async throws {
        let server = try Self.server { request in
            request.path == "/slow" ? LocalHTTPServer.Response(status: 200, body: "late", delay: .milliseconds(300))
                                    : LocalHTTPServer.Response(status: 200, body: "later", delay: .seconds(30))
        }
        defer { server.stop() }
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let health = HealthPlugin(aws: aws)
            let slow = try await HealthTest.gate(health, "http", ["url": .string(server.baseURL + "/slow"), "samples": 2, "interval": 0,
                                                                  "max_latency_ms": 100, "percentile": 50])
            #expect(slow.status == .fail && slow.reason.contains("; p50 latency ") && slow.reason.hasSuffix(", must be <= 100 ms"))
            if case .double(let p50)? = slow.value?["p50_ms"] { #expect(p50 >= 290) } else { Issue.record("no p50 in \(String(describing: slow.value))") }

            let started = ContinuousClock.now
            let stuck = try await HealthTest.gate(health, "http", ["url": .string(server.baseURL + "/stuck"), "samples": 2, "interval": 0,
                                                                   "request_timeout": 0.3])
            // Far below two 30 s answers; wide, because CI has stalled a test process for 7.6 s.
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(stuck.status == .fail && stuck.reason.hasSuffix("(need 100%): 2 × no response within 0.3 s"), "\(stuck.reason)")
            #expect(stuck.value?["statuses"] == ["error": 2])
        }
    }

    @Test func httpGateCountsRefusedConnections() async throws {
        let port = try MotoServer.freePort()
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let r = try await HealthTest.gate(HealthPlugin(aws: aws), "http", ["url": .string("http://127.0.0.1:\(port)/"), "samples": 2,
                                                                                 "interval": 0, "request_timeout": 1])
            #expect(r.status == .fail && r.reason.hasSuffix(": 2 × connection refused"), "\(r.reason)")
        }
    }

    @Test func httpGetReturnsStatusBodyAndLatency() async throws {
        let big = String(repeating: "x", count: 100_000)
        let server = try Self.server { request in
            switch request.path {
            case "/big": .ok(big)
            case "/missing": .notFound
            default: .ok("hello")
            }
        }
        defer { server.stop() }
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let health = HealthPlugin(aws: aws)
            let r = try await PluginTest.call(health, "http_get", ["url": .string(server.baseURL + "/hi")])
            #expect(r["status"] == 200 && r["body"] == "hello" && r["truncated"] == .nil)
            if case .double(let ms) = r["latency_ms"] { #expect(ms >= 0 && ms < 2000) } else { Issue.record("no latency in \(r)") }
            let missing = try await PluginTest.call(health, "http_get", ["url": .string(server.baseURL + "/missing")])
            #expect(missing["status"] == 404)
            let cut = try await PluginTest.call(health, "http_get", ["url": .string(server.baseURL + "/big"), "timeout": 5])
            #expect(cut["body"].stringValue?.count == 64 << 10 && cut["truncated"] == true)

            let port = try MotoServer.freePort()
            let refused = await PluginTest.failure { _ = try await PluginTest.call(health, "http_get", ["url": .string("http://127.0.0.1:\(port)/")]) }
            #expect(refused?.name == "HTTPError" && refused?.message == "GET http://127.0.0.1:\(port)/: connection refused")
            let fn = try PluginTest.function(health, "http_get")
            #expect(fn.readOnly && fn.idempotent && !fn.isGate)
        }
    }

    @Test func httpArgumentsAreChecked() async throws {
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let health = HealthPlugin(aws: aws)
            #expect(PluginTest.argumentError(health, "http", ["url": "ftp://x/"])?.path == ["url"])
            #expect(PluginTest.argumentError(health, "http", ["url": "not a url"])?.path == ["url"])
            #expect(PluginTest.argumentError(health, "http", ["url": "http://x/", "samples": 0])?.path == ["samples"])
            #expect(PluginTest.argumentError(health, "http", ["url": "http://x/", "percentile": 0])?.path == ["percentile"])
            #expect(PluginTest.argumentError(health, "http", ["url": "http://x/", "expect_status": 42])?.path == ["expect_status"])
            #expect(PluginTest.argumentError(health, "http", ["url": "http://x/", "expect_status": [200, "ok"]])?.path == ["expect_status", "[2]"])
            #expect(PluginTest.argumentError(health, "http", ["url": "http://x/", "min_success": "101%"])?.path == ["min_success"])
            #expect(PluginTest.argumentError(health, "http_get", ["url": "http://x/", "timeout": 0])?.path == ["timeout"])
            let gate = try PluginTest.function(health, "http")
            #expect(gate.isGate && gate.readOnly)
        }
    }

    @Test func httpGateStopsWhenCancelled() async throws {
        let server = try Self.server { _ in LocalHTTPServer.Response(status: 200, body: "", delay: .seconds(30)) }
        defer { server.stop() }
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let fn = try PluginTest.function(HealthPlugin(aws: aws), "http")
            let running = Task {
                try await fn.call(["url": .string(server.baseURL), "samples": 100, "interval": 1, "request_timeout": 60], context: PluginTest.context())
            }
            try await PluginTest.expectPromptCancellation(running, after: .milliseconds(200))
        }
    }
}
