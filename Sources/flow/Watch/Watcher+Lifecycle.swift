import FlowEngine
import FlowTriggers
import FlowWAL
#if canImport(Glibc)
import Glibc
#endif

/// Taking the trigger over from the last watcher, and stopping.
extension Watcher {
    /// Journals who watches now, then finishes what the journal says is unfinished: executions
    /// recorded as started are created (if the last watcher died before creating them), resumed
    /// (interrupted) or recorded as ended; cancels of a pending supersede are posted again; and
    /// waiting executions whose service is free start.
    func begin() throws {
        let w = Watching(at: WallClock.now(), pid: getpid(), host: WallClock.hostName, workflow: settings.workflow,
                         source: settings.sourceSpec, pattern: settings.patternText, key: settings.key.text,
                         policy: settings.policy)
        try journal.record(.watching(w))
        if let c = journal.takeCheckpoint() { log.compacted(c, state: journal.state) }
        let state = journal.state
        log.watching(settings, decided: state.counts.values.reduce(0, +), unfinished: state.unfinished.count)
        for (running, waiting) in state.cancellations { requestCancel(running, supersededBy: waiting) }
        for execution in state.unfinished { launch(execution.id) }
        promoteWaiting()
    }

    /// Nothing driven here runs and nothing waits for a free service: after the source ended,
    /// the watcher may exit.
    var isIdle: Bool { drives.isEmpty && journal.state.promotable.isEmpty }

    /// Stops taking events and waits for the executions driven here to return. StopSignal (the
    /// SIGTERM or Ctrl-C, or the caller's request) makes each return `interrupted` at its next
    /// safe point: resumable by the next watcher.
    func stop() async {
        stopping = true
        for o in observers.values { o.cancel() }
        observers = [:]
        while let next = drives.values.first {
            await next.value
        }
    }

    func close() {
        do {
            try journal.close()
        } catch {
            Console.error("watch: closing the journal \(journal.directory): \(error)")
        }
    }
}
