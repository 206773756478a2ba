import ArgumentParser
import FlowEngine

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Compile and lint a workflow without running it; problems are reported as file:line.")

    @Argument(help: "Workflow scripts.")
    var files: [String]

    func run() async throws {
        var problems = 0
        for file in files {
            let report = WorkflowCheck.check(path: file, registry: Composition.registry(workflowPath: file, pluginDirs: []))
            for p in report { Console.info(p) }
            problems += report.count
            if report.isEmpty { Console.info("\(file): ok") }
        }
        await Composition.shutdownAWS()
        if problems > 0 { throw ExitCode(Exit.usage) }
    }
}
