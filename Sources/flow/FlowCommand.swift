import ArgumentParser
import FlowEngine

@main
struct FlowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Durable Lua workflows: run, resume after a crash, inspect, signal.",
        discussion: """
            Exit codes: 0 succeeded, 1 the workflow failed (its on_failure handlers ran), 2 usage or input error, \
            3 the execution is locked by another live process, 4 the journal is damaged, 5 determinism error \
            (the script changed), 6 cancelled or aborted (fail-back ran), 70 internal error, 130 interrupted (resumable).

            Machine output: --output json (or --json) on every command that prints data puts JSON on stdout \
            (progress and errors stay on stderr); flow run / resume --events FILE|- write one JSON line per event.

            Shell completion: flow --generate-completion-script bash|zsh|fish prints the script for your shell \
            (commands, options, workflow files, execution ids); e.g. source <(flow --generate-completion-script bash).

            Examples:
              flow run workflows/canary.lua --params canary-prod.json
              flow show canary-2026-11-26-1200-ab12 --follow
              flow help promote
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, ResumeCommand.self, StatusCommand.self, ListCommand.self, HistoryCommand.self, ShowCommand.self,
            SignalCommand.self, PromoteCommand.self, PauseCommand.self, UnpauseCommand.self, RetryCommand.self, CancelCommand.self, AbortCommand.self, CheckCommand.self, TestCommand.self, ReplayCommand.self, BenchCommand.self, EventCommand.self, WatchCommand.self, ServeCommand.self,
        ]
    )

    /// ArgumentParser exits 64 for usage errors; flow's contract is 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Composition.finishSharedLogs()
        } catch {
            Composition.finishSharedLogs()
            if exitCode(for: error) == .validationFailure {
                Console.info(fullMessage(for: error))
                exit(withError: ExitCode(Exit.usage))
            }
            exit(withError: error)
        }
    }
}
