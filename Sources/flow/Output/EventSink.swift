import FlowEngine

/// Somewhere a run's events go: the plain lines or the live view on the terminal, a JSON-lines
/// file for CI (`--events`), a webhook (`--notify`). Each sees every event, in order, on the
/// runner's task, so `handle` must return at once (queue anything slow).
protocol EventSink: Sendable {
    func handle(_ event: ExecutionEvent)
    /// Called once when the command is done with the sink: flush what is queued (bounded),
    /// restore the terminal.
    func finish() async
}

extension EventSink {
    func finish() async {}
}

/// Every sink of a command, fed in the order they were given.
struct EventFanout: Sendable {
    let sinks: [any EventSink]

    func handle(_ event: ExecutionEvent) {
        for sink in sinks { sink.handle(event) }
    }

    func finish() async {
        for sink in sinks { await sink.finish() }
    }
}
