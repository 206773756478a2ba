import FlowEngine
import FlowEvents
import FlowEventSources
import FlowTriggers
import FlowWAL
import Foundation

/// The watcher of one trigger: decides each event, journals the decision, and drives the
/// executions its decisions start. An actor, so decisions are taken one at a time even when a
/// source delivers several events at once; the executions run in their own tasks.
///
/// Files: intake (here), executions (Watcher+Executions.swift), startup and shutdown
/// (Watcher+Lifecycle.swift).
actor Watcher {
    let settings: WatchSettings
    let journal: TriggerJournal
    let log: WatchLog
    /// Executions driven by this process, by id.
    var drives: [String: Task<Void, Never>] = [:]
    /// Executions this process waits for without driving them (another process has them, or
    /// they stopped on an error a person must fix).
    var observers: [String: Task<Void, Never>] = [:]
    var stopping = false
    /// Stopping, or about to: from the SIGTERM on, nothing new is taken or started, even before
    /// the main loop has called `stop()`.
    var halted: Bool { stopping || StopSignal.isRequested }
    /// Why the watcher cannot go on (the journal cannot be written, the workflow refuses its
    /// parameters) and the exit code to stop with.
    private(set) var failure: (code: Int32, message: String)?
    /// How the source's `run` ended, once it has.
    private(set) var sourceResult: Result<Void, any Error>?
    let crash = WatchCrashPoint.fromEnvironment()
    var startsJournaled = 0

    init(settings: WatchSettings, journal: sending TriggerJournal) {
        self.settings = settings
        self.journal = journal
        self.log = WatchLog(trigger: settings.layout.name, quiet: settings.drive.quiet, json: settings.drive.jsonEvents)
    }

    /// Decides one event and journals the decision before returning, so the source acknowledges
    /// only what is durable. Throws, leaving the event unacknowledged, once the watcher stops.
    func deliver(_ incoming: IncomingEvent) throws {
        if halted { throw WatchError("the watcher is stopping; the event is left to the source") }
        if let failure { throw WatchError(failure.message) }
        let event: JSONValue
        do {
            event = try JSONValue.parse(incoming.body)
        } catch {
            // It can never be decided; keeping it would only bring it back forever.
            log.unreadable(origin: incoming.origin, "\(error)")
            return
        }
        let input = TriggerState.Input(event: event, matched: settings.pattern.matches(event), keyExpression: settings.key)
        let decision = journal.state.decide(input, trigger: settings.layout.name, policy: settings.policy)
        if input.matched {
            let record = Decided(at: WallClock.now(), facts: input.facts, decision: decision, origin: incoming.origin,
                                 body: decision.startsExecution ? incoming.body : nil)
            do {
                try journal.record(.decided(record))
            } catch {
                fail("cannot journal a decision in \(journal.directory): \(error)")
                throw error
            }
        }
        log.decision(decision, facts: input.facts, origin: incoming.origin)
        if let c = journal.takeCheckpoint() { log.compacted(c, state: journal.state) }
        switch decision.kind {
        case .start:
            startsJournaled += 1
            crash?.hit(startsJournaled: startsJournaled)
            if let id = decision.execution { launch(id) }
        case .superseding:
            if let running = decision.cancels, let id = decision.execution { requestCancel(running, supersededBy: id) }
        case .duplicate, .stale, .ignored, .rejected, .queued:
            break
        }
    }

    func fail(_ message: String, code: Int32 = Exit.internalError) {
        guard failure == nil else { return }
        failure = (code, message)
        Console.error("watch: \(message)")
    }

    func sourceEnded(_ result: Result<Void, any Error>) {
        sourceResult = result
    }
}

/// A reason the watcher refuses an event or stops, as one message.
struct WatchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
