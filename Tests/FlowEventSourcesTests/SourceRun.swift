import FlowAWS
import FlowEventSources
import Foundation
import Logging
import Synchronization
import Testing

/// A source running in the background while a test acts on the world: what it delivered, how
/// often `deliver` was called, and how `run` ended. Every wait is bounded.
final class SourceRun: Sendable {
    typealias Deliver = @Sendable (_ event: IncomingEvent, _ call: Int) async throws -> Void

    private let delivered = Mutex<[IncomingEvent]>([])
    private let calls = Mutex<Int>(0)
    private let outcome = Mutex<Result<Void, any Error>?>(nil)
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// `deliver` sees each call (0, 1, ...) first; an event counts as delivered when it returns.
    init(_ source: any EventSource, deliver: @escaping Deliver = { _, _ in }) {
        let started = Task { [self] in
            let result: Result<Void, any Error>
            do {
                try await source.run { event in
                    let call = calls.withLock { n in defer { n += 1 }; return n }
                    try await deliver(event, call)
                    delivered.withLock { $0.append(event) }
                }
                result = .success(())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
        }
        task.withLock { $0 = started }
    }

    var events: [IncomingEvent] { delivered.withLock { $0 } }
    var bodies: [String] { events.map(\.body) }
    var callCount: Int { calls.withLock { $0 } }
    var ended: Result<Void, any Error>? { outcome.withLock { $0 } }

    /// Polls `condition` every 20 ms for at most `within`.
    @discardableResult
    func wait(within: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// At least `count` events delivered within `within`.
    func waitFor(_ count: Int, within: Duration = .seconds(20)) async -> Bool {
        await wait(within: within) { events.count >= count }
    }

    /// How `run` ended on its own (a file at EOF, a fatal error), waiting at most `within`.
    func end(within: Duration = .seconds(20)) async -> Result<Void, any Error>? {
        await wait(within: within) { ended != nil }
        return ended
    }

    /// Cancels the run and waits (at most `within`) for it to end.
    @discardableResult
    func stop(within: Duration = .seconds(10)) async -> Result<Void, any Error>? {
        task.withLock { $0?.cancel() }
        return await end(within: within)
    }
}

extension Result where Failure == any Error {
    var error: (any Error)? { if case .failure(let e) = self { e } else { nil } }
}

/// Keeps what a source logs, to check that failures are reported.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var all: [String] { lines.withLock { $0 } }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }

    func count(_ text: String) -> Int { all.filter { $0.contains(text) }.count }
}

extension EventSourceOptions {
    /// Short waits for tests, logging into `capture`.
    static func forTests(_ capture: LogCapture = LogCapture()) -> EventSourceOptions {
        var options = EventSourceOptions()
        options.longPollWait = .seconds(1)
        options.visibilityTimeout = .seconds(2)
        options.ecsPollInterval = .milliseconds(200)
        options.retryBase = .milliseconds(20)
        options.retryCap = .milliseconds(200)
        options.logger = Logger(label: "test") { _ in capture }
        return options
    }
}

/// A JSON object's fields, failing the test when `text` is not one.
func object(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
    let parsed = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    #expect(parsed != nil, "not a JSON object: \(text)", sourceLocation: sourceLocation)
    return parsed ?? [:]
}
