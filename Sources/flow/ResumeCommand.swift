import ArgumentParser
import FlowEngine

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Carry on an interrupted execution from where it stopped (replays the journal, then runs live).",
        discussion: """
            Examples:
              flow resume canary-2026-11-26-1200-ab12
              flow resume --all --home /var/lib/flow
              flow resume canary-2026-11-26-1200-ab12 --allow-changed-script
            """)

    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String?

    @Flag(help: "Resume every interrupted execution in the home.")
    var all = false

    @Flag(help: "Run a script that changed since the execution started (stops at the first step that differs).")
    var allowChangedScript = false

    @OptionGroup var home: HomeOptions
    @OptionGroup var drive: DriveOptions

    func validate() throws {
        if all == (id != nil) { throw ValidationError("give an execution id or --all, not both") }
    }

    func run() async throws {
        let flowHome = home.flowHome
        let drive = self.drive, allowChangedScript = self.allowChangedScript
        func options(_ id: String) -> RunOptions {
            Composition.options(home: flowHome, drive: drive, allowChangedScript: allowChangedScript, resuming: id)
        }
        if let id {
            let code = await Composition.drive(.resume(id: id), options: options(id))
            if code != 0 { throw ExitCode(code) }
            return
        }
        let waiting = ExecutionSummary.listRows(home: flowHome).rows.filter { $0.status == "interrupted" }.map(\.id)
        if waiting.isEmpty {
            Console.info("flow: no interrupted executions in \(flowHome.root)")
            return
        }
        // Each in its own task: one waiting on a long timer must not hold up the others.
        let codes = await withTaskGroup(of: Int32.self) { group in
            for id in waiting {
                let o = options(id)
                group.addTask { await Composition.drive(.resume(id: id), options: o, shutdown: false) }
            }
            var all: [Int32] = []
            for await c in group { all.append(c) }
            return all
        }
        await Composition.finishOutputs()
        await Composition.shutdownAWS()
        if let worst = codes.first(where: { $0 != 0 }) { throw ExitCode(worst) }
    }
}
