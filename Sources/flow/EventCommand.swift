import ArgumentParser
import FlowEvents
import Foundation

/// `flow event`: EventBridge's event-pattern language at the command line (docs/EVENTS.md).
struct EventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "EventBridge event patterns: test a pattern against an event.",
        discussion: """
            Examples:
              flow event test --pattern workflows/canary.trigger.json --event event.json
              flow event bench --runs 3
            """,
        subcommands: [EventTestCommand.self, EventBenchCommand.self])
}

/// `flow event test`: `aws events test-event-pattern` without an AWS account.
struct EventTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Test an EventBridge event against an event pattern, as `aws events test-event-pattern` does.",
        discussion: """
            Prints `match` (exit 0) or `no match` (exit 1); with --output json, {"match":true} or {"match":false}. A pattern AWS would reject is reported on stderr \
            with AWS's reason ("Event pattern is not valid. Reason: ..."), exit 2; so is an unreadable file or \
            an event that is not a JSON object. `-` reads standard input, for one of the two.

            Examples:
              flow event test --pattern workflows/canary.trigger.json --event event.json
              aws sqs receive-message --queue-url "$QUEUE_URL" \\
                --query 'Messages[0].Body' --output text |
                flow event test --pattern workflows/canary.trigger.json --event -
            """)

    @Option(help: "The event pattern: a JSON file, or - for standard input.", completion: Completions.json)
    var pattern: String

    @Option(help: "The event: a JSON file with one EventBridge event (the whole envelope), or - for standard input.",
            completion: Completions.json)
    var event: String

    @Option(help: "The longest pattern accepted, in characters (AWS's quota: 2048 by default, up to 4096).")
    var maxPatternLength = EventPattern.Limits.aws.maxLength

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if pattern == "-" && event == "-" {
            throw ValidationError("only one of --pattern and --event can read standard input (-)")
        }
    }

    func run() throws {
        let compiled: EventPattern
        do {
            compiled = try EventPattern(try Self.read(pattern, "--pattern"), limits: .init(maxLength: maxPatternLength))
        } catch {
            Console.error("\(error)")
            throw ExitCode(Exit.usage)
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(try Self.read(event, "--event"))
        } catch let e as JSONSyntaxError {
            Console.error("--event \(event): not valid JSON: \(e)")
            throw ExitCode(Exit.usage)
        }
        guard case .object = value else {
            Console.error("--event \(event): an event is a JSON object, not \(value)")
            throw ExitCode(Exit.usage)
        }
        let matched = compiled.matches(value)
        Console.out(output.isJSON ? JSONText.render(["match": matched]) : matched ? "match" : "no match")
        if !matched { throw ExitCode(Exit.failed) }
    }

    /// A file's text, or standard input's for "-"; invalid UTF-8 is an error, not replaced.
    private static func read(_ path: String, _ option: String) throws -> String {
        let data: Data?
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: path)
        }
        guard let data else {
            Console.error("\(option): cannot read \(path)")
            throw ExitCode(Exit.usage)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            Console.error("\(option) \(path): not UTF-8 text")
            throw ExitCode(Exit.usage)
        }
        return text
    }
}
