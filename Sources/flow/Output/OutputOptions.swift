import ArgumentParser

/// How a command prints its data on stdout: `text` for people (the default), `json` for
/// machines. Progress and errors stay on stderr either way, so stdout parses as JSON.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// `--output text|json`, shared by every command that prints data; `--json` is kept as a
/// synonym of `--output json`.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("text (default) or json: data on stdout for machines.", valueName: "format"))
    var output: OutputFormat?

    @Flag(help: "The same as --output json.")
    var json = false

    func validate() throws {
        if json, output == .text { throw ValidationError("--json and --output text contradict each other") }
    }

    var isJSON: Bool { json || output == .json }
}
