import FlowEngine
import FlowEventSources
import FlowEvents
import FlowPluginSupport
import Foundation

/// `ecs.await_event{ pattern = {...}, source = "sqs:URL" | "ecs:CLUSTER/SERVICE" | "http:127.0.0.1:PORT" | "file:PATH", timeout = 600 }`:
/// the first event from the source that matches the EventBridge pattern, journaled as the step's
/// result. The step consumes its source as a queue's reader does: every event it reads is
/// acknowledged (deleted from an SQS queue), matching or not, so give it a queue of its own.
struct AwaitEventInput: Decodable, Sendable {
    var pattern: StepValue
    var source: String
    var timeout: Double?
    var region: String?
}

enum AwaitEventStep {
    static func pattern(_ input: AwaitEventInput) throws -> EventPattern {
        do {
            return try EventPattern(json: json(input.pattern))
        } catch {
            throw StepArgumentError(path: ["pattern"], problem: "\(error)")
        }
    }

    static func validate(_ input: AwaitEventInput) throws {
        _ = try pattern(input)
        if input.source.isEmpty { throw StepArgumentError(path: ["source"], problem: "must not be empty") }
        if let t = input.timeout, !(t > 0 && t.isFinite) {
            throw StepArgumentError(path: ["timeout"], problem: "must be a number of seconds > 0")
        }
    }

    static func function(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("await_event", summary: "Wait for the first event from a source that matches an EventBridge pattern.",
              idempotent: true, handlesTimeout: true, input: AwaitEventInput.self, validate: validate) { input, context -> StepValue in
            let compiled = try pattern(input)
            var options = EventSourceOptions()
            options.longPollWait = .seconds(2)
            let source: any EventSource
            do {
                source = try EventSources.parse(input.source, aws: { region in
                    try aws.client(region: region ?? input.region, context: context)
                }, options: options)
            } catch let e as StepFailure {
                throw e
            } catch {
                throw StepFailure("InvalidSource", "source '\(input.source)': \(error)", retryable: false)
            }
            let timeout = input.timeout ?? 600
            let found = Found()
            // The first task to end decides: the source (failed, or a file at its end) or the clock.
            let sourceEnded: Bool = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await awsStep {
                        try await source.run { incoming in
                            guard found.value == nil, let event = try? JSONValue.parse(incoming.body),
                                  compiled.matches(event) else { return }
                            found.set(event)
                        }
                    }
                    return true
                }
                group.addTask {
                    let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
                    while found.value == nil, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    return false
                }
                defer { group.cancelAll() }
                do {
                    return try await group.next() ?? false
                } catch where found.value != nil {
                    return false
                }
            }
            guard let event = found.value else {
                if sourceEnded {
                    throw StepFailure("SourceEnded", "\(input.source) ended without an event matching the pattern", retryable: false)
                }
                throw StepFailure("Timeout", "no event from \(input.source) matched the pattern within \(timeout) s", retryable: false)
            }
            return value(event)
        }
    }

    final class Found: @unchecked Sendable {
        private let lock = NSLock()
        private var event: JSONValue?
        var value: JSONValue? { lock.withLock { event } }
        func set(_ e: JSONValue) { lock.withLock { if event == nil { event = e } } }
    }

    /// A Lua table as JSON: lists stay lists (a pattern's leaves are lists of values).
    static func json(_ v: StepValue) -> JSONValue {
        switch v {
        case .nil: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(JSONNumber(Int(i)))
        case .double(let d): return .number(JSONNumber(d))
        case .string(let s): return .string(s)
        case .bytes: return .string(v.stringValue ?? "")
        case .array(let items): return .array(items.map(json))
        case .table(let t): return .object(t.mapValues(json))
        }
    }

    /// An event for the script: integers stay integers.
    static func value(_ j: JSONValue) -> StepValue {
        switch j {
        case .null: return .nil
        case .bool(let b): return .bool(b)
        case .number(let n):
            if let micros = n.micros, micros % 1_000_000 == 0 { return .int(micros / 1_000_000) }
            return .double(n.double)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(value))
        case .object(let o): return .table(o.mapValues(value).filter { !$0.value.isNil })
        }
    }
}
