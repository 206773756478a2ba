import ArgumentParser
import FlowEngine
import FlowTesting
import Foundation

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Check that a workflow script still replays a recorded history (runs no step).",
        discussion: """
            Re-runs a history exported with `flow history ID --json` against the script, as `flow resume` would, \
            but answers every step from the history and runs none: plugin functions only validate their arguments. \
            It reports whether an execution with that history could resume with this script, and if not the \
            step where they part, both sides shown: another step, other arguments, a step removed, a step added \
            after the end, a different outcome, parameters flow.params now refuses. Run it in CI on histories \
            taken from production so that a breaking edit is caught before it meets an interrupted rollout.

            Exit status: 0 consistent, 5 divergent (the determinism report), 2 an unreadable history or script \
            (the file, and the entry or file:line).

            Examples:
              flow history canary-2026-11-26-1200-ab12 --json > canary.history.json
              flow replay --history canary.history.json --script workflows/canary.lua
              flow replay --history canary.history.json --script workflows/canary.lua --json | jq .divergence
            """)

    @Option(help: "A history exported by `flow history ID --json`.", completion: Completions.json)
    var history: String

    @Option(help: "The workflow script to check against it.", completion: Completions.lua)
    var script: String

    @Option(name: .customLong("plugins"), help: "A folder of Lua gates (or a plugins folder holding gates/), searched before FLOW_PLUGIN_PATH and plugins/gates. Repeatable.",
            completion: .directory)
    var pluginDirs: [String] = []

    @OptionGroup var output: OutputOptions  // json: the ReplayReport (verdict, divergence with both sides, next)

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: history) else {
            let why = FileManager.default.fileExists(atPath: history) ? "cannot be read" : "does not exist"
            Console.error("history file \(history) \(why) (write one with `flow history ID --json > FILE`)")
            throw ExitCode(Exit.usage)
        }
        let registry = Composition.registry(workflowPath: script, pluginDirs: pluginDirs)
        let report = await ReplayCheck.run(historyJSON: data, historyPath: history, scriptPath: script, registry: registry)
        await Composition.shutdownAWS()
        if output.isJSON { Console.out(JSONText.render(report, pretty: true)) }
        let code: Int32
        switch report.verdict {
        case .consistent, .divergent:
            if !output.isJSON { Console.out(report.text) }
            code = report.verdict == .consistent ? Exit.succeeded : Exit.determinism
        case .invalid:
            Console.error(report.text)
            code = Exit.usage
        case .failed:
            Console.error(report.text)
            code = Exit.internalError
        }
        if code != Exit.succeeded { throw ExitCode(code) }
    }
}
