import FlowAWS
import FlowEngine
import FlowPluginSupport
import FlowTestSupport
import Foundation
import Testing

/// What every plugin suite in this target needs: a step context, an AWS environment for one
/// endpoint, a plugin's functions, and the failure a call threw. Helpers of one suite stay with
/// it (`R53Test`, `HealthTest`).
enum PluginTest {
    static func context(attempt: Int = 1, settings: StepSettings = StepSettings()) -> StepContext {
        StepContext(executionID: "t", seq: 1, attempt: attempt, settings: settings)
    }

    /// Five attempts, 10 ms apart at first.
    static let fastRetries = FlowAWS.RetryPolicy(base: .milliseconds(10))

    /// An environment for `endpoint` only: static test keys, no shared config files, fast client retries.
    static func environment(endpoint: String, region: String? = "us-east-1",
                            retry: FlowAWS.RetryPolicy = fastRetries) -> AWSStepEnvironment {
        var env = [
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/nonexistent/flow-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/flow-test-credentials",
        ]
        if let region { env["AWS_REGION"] = region }
        return AWSStepEnvironment(environment: env, retryPolicy: retry)
    }

    /// Runs `body` and always shuts the environment's HTTP client down.
    static func with<T>(_ aws: AWSStepEnvironment, _ body: (AWSStepEnvironment) async throws -> T) async throws -> T {
        do {
            let result = try await body(aws)
            await aws.shutdown()
            return result
        } catch {
            await aws.shutdown()
            throw error
        }
    }

    /// The client the plugins would use, for seeding.
    static func client(_ aws: AWSStepEnvironment, region: String? = nil) throws -> AWSClient {
        try aws.client(region: region, context: context())
    }

    static func function(_ plugin: any StepPlugin, _ name: String) throws -> StepFunction {
        guard let f = plugin.functions.first(where: { $0.name == name }) else { throw StepFailure("Missing", "no \(plugin.name).\(name)") }
        return f
    }

    static func call(_ plugin: any StepPlugin, _ name: String, _ args: StepValue,
                     context: StepContext = context()) async throws -> StepValue {
        try await function(plugin, name).call(args, context: context)
    }

    /// The StepFailure `body` threw, or nil (recorded as a test issue by the caller's #expect).
    static func failure(_ body: () async throws -> Void) async -> StepFailure? {
        await thrown(body) { StepFailure("Unexpected", "\(type(of: $0)): \($0)") }
    }

    /// The argument error `body` threw, or nil.
    static func argumentError(_ body: () async throws -> Void) async -> StepArgumentError? {
        await thrown(body) { StepArgumentError(path: ["<unexpected>"], problem: "\($0)") }
    }

    /// The argument error validating `args` for `plugin.name` raised, or nil.
    static func argumentError(_ plugin: any StepPlugin, _ name: String, _ args: StepValue) -> StepArgumentError? {
        do {
            try function(plugin, name).validate(args)
        } catch {
            return error as? StepArgumentError ?? StepArgumentError(path: ["<unexpected>"], problem: "\(error)")
        }
        return nil
    }

    /// The `E` that `body` threw; any other error as `unexpected` makes it; nil when nothing was thrown.
    private static func thrown<E: Error>(_ body: () async throws -> Void, unexpected: (any Error) -> E) async -> E? {
        do {
            try await body()
            return nil
        } catch let e as E {
            return e
        } catch {
            return unexpected(error)
        }
    }

    /// Cancels `running` once `after` has passed, and expects it to end at once with CancellationError.
    static func expectPromptCancellation<T: Sendable>(_ running: Task<T, any Error>, after: Duration,
                                                      sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await Task.sleep(for: after)
        let started = ContinuousClock.now
        running.cancel()
        let outcome = await running.result
        // Every caller's work would take 30 s or more if it ignored the cancellation; the bound is
        // wide because CI has stalled a test process for 7.6 s.
        #expect(ContinuousClock.now - started < .seconds(15), sourceLocation: sourceLocation)
        #expect(throws: CancellationError.self, sourceLocation: sourceLocation) { try outcome.get() }
    }
}
