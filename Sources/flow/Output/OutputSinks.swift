import FlowEngine

/// Builds the sinks of `flow run` / `flow resume` from their options. One line per kind of
/// output: the terminal (plain lines; the live view when stderr is a terminal), then machine
/// outputs.
enum OutputSinks {
    static func make(drive: DriveOptions, printID: Bool) -> EventFanout {
        var sinks: [any EventSink] = []
        sinks.append(EventPrinter(quiet: drive.quiet, json: drive.jsonEvents, printID: printID))
        return EventFanout(sinks: sinks)
    }
}
