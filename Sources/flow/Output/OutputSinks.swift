import FlowEngine

/// Builds the sinks of `flow run` / `flow resume` from their options. One line per kind of
/// output: the terminal (plain lines; the live view when stderr is a terminal), then machine
/// outputs.
enum OutputSinks {
    /// `home`: where the live view reads a resumed execution's journal and what its hints name.
    static func make(drive: DriveOptions, printID: Bool, home: FlowHome? = nil, terminal: (any EventSink)? = nil) -> EventFanout {
        // With `--events -` stdout holds only JSON lines: the id is the `started` line's `id`.
        let printID = printID && drive.eventsFile != "-"
        var sinks: [any EventSink] = []
        if let terminal {
            sinks.append(terminal)
        } else if let live = LiveView.make(drive: drive, printID: printID, home: home) {
            sinks.append(live)
        } else {
            sinks.append(EventPrinter(quiet: drive.quiet, json: drive.jsonEvents, printID: printID))
        }
        if let path = drive.eventsFile, let events = EventsFileSink(path: path) { sinks.append(events) }
        sinks.append(NotifySink(urls: drive.notifyURLs))  // also flushes what flow.notify steps queued
        return EventFanout(sinks: sinks)
    }
}
