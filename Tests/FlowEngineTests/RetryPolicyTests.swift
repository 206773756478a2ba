import Testing
import FlowLua
@testable import FlowEngine

@Suite struct RetryPolicyTests {
    let boom = StepError(name: "Boom", message: "")

    @Test func delaysFollowTheDocumentedFormula() {
        let p = RetryPolicy(initial: 1, backoff: 2, maxInterval: 5, maxAttempts: 6, jitter: .none)
        let delays = (1...6).map { p.delay(after: $0, error: boom, unit: 0.5) }
        #expect(delays == [1, 2, 4, 5, 5, nil])
    }

    @Test func fullJitterScalesByTheRandomUnit() {
        let p = RetryPolicy(initial: 2, backoff: 3, maxInterval: 100, maxAttempts: 5, jitter: .full)
        #expect(p.delay(after: 2, error: boom, unit: 0) == 0)
        #expect(p.delay(after: 2, error: boom, unit: 0.5) == 3)
        #expect(p.delay(after: 3, error: boom, unit: 0.25) == 4.5)
    }

    @Test func nonRetryableNamesAndMaxAttemptsEndRetries() {
        let p = RetryPolicy(maxAttempts: 3, nonRetryable: ["Boom"])
        #expect(p.delay(after: 1, error: boom, unit: 0.5) == nil)
        #expect(p.delay(after: 1, error: StepError(name: "Other", message: ""), unit: 0.5) != nil)
        #expect(RetryPolicy.never.delay(after: 1, error: boom, unit: 0.5) == nil)
    }

    @Test func scriptsGetDefaultsForWhatTheyLeaveOutAndErrorsForBadFields() throws {
        let p = try LuaValueDecoder().decode(RetryPolicy.self, from: ["max_attempts": 5, "jitter": "none"])
        #expect(p == RetryPolicy(initial: 1, backoff: 2, maxInterval: 60, maxAttempts: 5, jitter: .none))
        #expect(throws: LuaArgumentError.self) { try LuaValueDecoder().decode(RetryPolicy.self, from: ["max_atempts": 5]) }
        #expect(throws: LuaArgumentError.self) { try LuaValueDecoder().decode(RetryPolicy.self, from: ["jitter": "some"]) }
        let bad = RetryPolicy(backoff: 0.5)
        #expect(throws: RetryPolicyError.self) { try bad.validate() }
        do { try RetryPolicy(maxAttempts: 0).validate() } catch { #expect("\(error)" == "retry.max_attempts must be >= 1") }
    }
}
