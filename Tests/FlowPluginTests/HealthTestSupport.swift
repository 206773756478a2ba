import FlowAWS
import FlowEngine
import FlowPluginSupport
import FlowTestSupport
import Foundation

/// Helpers of the ECS and health suites; one namespace so nothing collides with the other
/// suites' helpers in this target. What every suite uses is in `PluginTest`.
enum HealthTest {
    /// Two attempts, 10 ms apart.
    static let retry = FlowAWS.RetryPolicy(maxAttempts: 2, base: .milliseconds(10))

    /// Runs `body` with an environment for `endpoint` only and always shuts its HTTP client down.
    static func with<T>(endpoint: String, region: String = "us-east-1",
                        _ body: (AWSStepEnvironment) async throws -> T) async throws -> T {
        try await PluginTest.with(PluginTest.environment(endpoint: endpoint, region: region, retry: retry), body)
    }

    /// A gate's verdict, decoded back from what the engine would journal.
    static func gate(_ plugin: any StepPlugin, _ name: String, _ args: StepValue) async throws -> GateResult {
        let value = try await PluginTest.call(plugin, name, args)
        guard case .string(let status) = value["status"], let s = GateStatus(rawValue: status),
              case .string(let reason) = value["reason"] else { throw StepFailure("BadGate", "not a gate result: \(value)") }
        return GateResult(s, reason, value: value["value"].isNil ? nil : value["value"])
    }

    static func int(_ v: StepValue) -> Int? {
        if case .int(let i) = v { return Int(i) }
        return nil
    }
}
