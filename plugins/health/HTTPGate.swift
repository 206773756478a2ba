import FlowEngine
import FlowPluginSupport
import Foundation

/// `health.http{ url, samples = 5, interval = 0.2, expect_status = 200, min_success = "100%",
/// max_latency_ms, percentile = 99, request_timeout = 2 }`.
struct HTTPInput: Decodable, Sendable {
    var url: String
    var samples: Int?
    var interval: Double?
    var expect_status: StatusList?
    var min_success: Threshold?
    var max_latency_ms: Double?
    var percentile: Double?
    var request_timeout: Double?
}

/// `health.http_get{ url, timeout = 2 }`: one GET, for Lua gates.
struct HTTPGetInput: Decodable, Sendable {
    var url: String
    var timeout: Double?
}

enum HTTPGate {
    /// What `http_get` keeps of a body; the rest is not read.
    static let bodyLimit = 64 << 10

    static func validateURL(_ url: String) throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            !(parsed.host ?? "").isEmpty
        else {
            throw StepArgumentError(path: ["url"], problem: "an http:// or https:// URL with a host expected, got '\(url)'")
        }
    }

    static func validateTimeout(_ t: Double?, _ key: String) throws {
        if let t, !(t > 0 && t <= 300) {
            throw StepArgumentError(path: [key], problem: "must be between 0 and 300 seconds, got \(t)")
        }
    }

    static func validate(_ input: HTTPInput) throws {
        try validateURL(input.url)
        try validateTimeout(input.request_timeout, "request_timeout")
        if let n = input.samples, !(1...1000).contains(n) {
            throw StepArgumentError(path: ["samples"], problem: "must be between 1 and 1000, got \(n)")
        }
        if let i = input.interval, !(i >= 0 && i <= 60) {
            throw StepArgumentError(path: ["interval"], problem: "must be between 0 and 60 seconds, got \(i)")
        }
        if let p = input.percentile, !(p > 0 && p <= 100) {
            throw StepArgumentError(path: ["percentile"], problem: "must be above 0 and at most 100, got \(p)")
        }
        if let m = input.max_latency_ms, !(m > 0 && m.isFinite) {
            throw StepArgumentError(path: ["max_latency_ms"], problem: "must be a number of milliseconds > 0")
        }
        if input.expect_status?.codes.isEmpty == true {
            throw StepArgumentError(path: ["expect_status"], problem: "needs at least one status")
        }
    }

    static func measure(_ input: HTTPInput, _ aws: AWSStepEnvironment) async throws -> GateResult {
        let count = input.samples ?? 5, interval = input.interval ?? 0.2, timeout = input.request_timeout ?? 2
        var samples: [HTTPSample] = []
        for i in 0..<count {
            if i > 0, interval > 0 { try await Task.sleep(for: .milliseconds(Int64(interval * 1000))) }
            do {
                let r = try await HTTPProbe.get(input.url, timeout: timeout, bodyLimit: bodyLimit, client: aws.httpClient)
                samples.append(HTTPSample(status: r.status, latencyMs: r.latencyMs))
            } catch let f as HTTPProbe.Failure {
                samples.append(HTTPSample(error: f.description))
            }
        }
        return HTTPEvaluation.evaluate(samples, url: input.url, expect: input.expect_status?.codes ?? [200],
                                       minSuccess: input.min_success ?? .percent(100), maxLatencyMs: input.max_latency_ms,
                                       percentile: input.percentile ?? 99)
    }

    static func gate(_ aws: AWSStepEnvironment) -> StepFunction {
        .gate("http", summary: "GETs a URL a few times: enough expected statuses, latency percentile under a limit.",
              input: HTTPInput.self, validate: validate) { input, _ in
            try await measure(input, aws)
        }
    }

    static func raw(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("http_get", summary: "One GET: status, the first 64 KiB of the body, latency.", idempotent: true, readOnly: true, handlesTimeout: true,
              input: HTTPGetInput.self, validate: { input in
                  try validateURL(input.url)
                  try validateTimeout(input.timeout, "timeout")
              }) { input, _ -> StepValue in
            let r: HTTPProbe.Response
            do {
                r = try await HTTPProbe.get(input.url, timeout: input.timeout ?? 2, bodyLimit: bodyLimit, client: aws.httpClient)
            } catch let f as HTTPProbe.Failure {
                throw StepFailure("HTTPError", "GET \(input.url): \(f.description)")
            }
            return .record(["status": .int(r.status), "body": .fromBytes(r.body), "latency_ms": .rounded(r.latencyMs),
                            "truncated": r.truncated ? .bool(true) : nil])
        }
    }
}
