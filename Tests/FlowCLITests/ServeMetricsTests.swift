import Foundation
import Testing

/// /metrics: Prometheus text with executions by status, step durations, gate outcomes and the
/// fsync probe, derived from the home at each scrape.
@Suite(.timeLimit(.minutes(5)))
struct ServeMetricsTests {
    static let gated = """
        flow.exec{ cmd = {"true"} }
        flow.gate("latency", { ms = 42 })
        flow.gate("latency", { ms = 420, on_fail = "return" })
        return "ok"
        """
    static let gate = """
        return function(ctx, args)
          local ok = args.ms < 300
          return { status = ok and "pass" or "fail", reason = "p95 " .. args.ms .. " ms", value = { p95_ms = args.ms } }
        end
        """

    @Test("/metrics parses as Prometheus text and counts executions, steps, gates and fsync probes")
    func metrics() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.gated)
        try FileManager.default.createDirectory(atPath: sb.path("gates"), withIntermediateDirectories: true)
        try sb.write("gates/latency.lua", Self.gate)
        let ran = try await sb.flow(["run", "w.lua", "--id", "m-1", "--plugins", "gates"])
        #expect(ran.code == 0, "\(ran)")
        try sb.write("f.lua", #"flow.fail("no")"#)
        _ = try await sb.flow(["run", "f.lua", "--id", "m-2"])
        let server = try await Server.start(sb)
        let r = try await server.get("/metrics")
        #expect(r.status == 200 && r.headers["content-type"]?.hasPrefix("text/plain") == true, "\(r)")
        expectSecurityHeaders(r)

        // Every line is a comment or `name{labels} value`; collect the samples.
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]
        let sample = try Regex(#"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$"#)
        for line in r.body.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            let m = try #require(try sample.wholeMatch(in: line), "not Prometheus text: '\(line)'")
            samples[String(line[m.range].split(separator: " ")[0])] = Double(line.split(separator: " ").last!)
        }
        #expect(types["flow_executions"] == "gauge")
        #expect(types["flow_step_duration_seconds"] == "histogram")
        #expect(types["flow_gate_outcomes_total"] == "counter")
        #expect(types["flow_wal_fsync_seconds"] == "histogram")
        #expect(samples[#"flow_executions{status="succeeded"}"#] == 1, "\(r.body)")
        #expect(samples[#"flow_executions{status="failed"}"#] == 1)
        #expect(samples[#"flow_executions{status="running"}"#] == 0)
        #expect(samples[#"flow_gate_outcomes_total{status="pass"}"#] == 1, "\(r.body)")
        #expect(samples[#"flow_gate_outcomes_total{status="fail"}"#] == 1)
        #expect(samples[#"flow_gate_outcomes_total{status="inconclusive"}"#] == 0)
        #expect((samples[#"flow_step_duration_seconds_count{kind="native"}"#] ?? 0) >= 3, "\(r.body)")
        #expect(samples["flow_wal_fsync_seconds_count"] == 3)
        #expect(r.body.contains("# HELP flow_wal_fsync_seconds A probe"))
        #expect(!FileManager.default.fileExists(atPath: sb.home + "/.probe"), "the probe file was left behind")

        // A second scrape reads the cache for finished executions and gives the same counts.
        let again = try await server.get("/metrics")
        #expect(again.body.contains(#"flow_executions{status="succeeded"} 1"#))
        #expect(again.body.contains(#"flow_gate_outcomes_total{status="pass"} 1"#))
        #expect(await server.stop().code == 0)
    }
}
