import ArgumentParser
import FlowEngine

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the whole history of an execution: steps, retries, operator actions, weights over time, outcome.",
        discussion: """
            Reads the journal (runs no Lua, takes no lock). Times are UTC. The table fits the terminal \
            (COLUMNS, else its width, else 100 columns); colour only on a terminal without NO_COLOR.

            Examples:
              flow show canary-2026-11-26-1200-ab12
              flow show canary-2026-11-26-1200-ab12 --json | jq '.failback.final_weights'
              flow show canary-2026-11-26-1200-ab12 --follow     # attach the live view
            """)

    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String

    @OptionGroup var output: OutputOptions

    @Flag(help: "Follow the execution live (the live view, read from its journal) until it ends.")
    var follow = false

    @Flag(help: "With --follow: plain lines, one per event, even on a terminal.")
    var plain = false

    @OptionGroup var home: HomeOptions

    func validate() throws {
        if follow && output.isJSON { throw ValidationError("--follow prints the live view; it does not take --json") }
        if plain && !follow { throw ValidationError("--plain only applies with --follow") }
    }

    func run() async throws {
        let flowHome = home.flowHome
        if follow {
            let code = await LiveFollow.run(home: flowHome, id: id, plain: plain)
            if code != 0 { throw ExitCode(code) }
            return
        }
        let summary: ExecutionSummary
        let timeline: ExecutionTimeline
        do {
            summary = try ExecutionSummary.load(home: flowHome, id: id)
            timeline = try ExecutionTimeline.load(home: flowHome, id: id)
        } catch let e as RunError {
            throw fail(e)
        }
        if output.isJSON {
            Console.out(JSONText.render(ShowJSON.document(timeline, summary: summary), pretty: true))
        } else {
            Console.out(ShowReport.render(timeline, summary: summary, style: .current()).joined(separator: "\n"))
        }
    }
}
