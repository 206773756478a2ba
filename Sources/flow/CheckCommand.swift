import ArgumentParser
import FlowEngine
import FlowTesting

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Compile and lint a workflow without running it; problems are reported as file:line.",
        discussion: """
            Examples:
              flow check workflows/*.lua
              flow check workflows/canary.lua --json | jq -r '.[].problems[]'
            """)

    @Argument(help: "Workflow scripts.", completion: Completions.lua)
    var files: [String]

    @OptionGroup var output: OutputOptions  // json: [{file, ok, problems: ["file:line: ..."]}] on stdout

    struct FileReport: Encodable {
        var file: String
        var ok: Bool
        var problems: [String]
    }

    func run() async throws {
        var problems = 0
        var reports: [FileReport] = []
        for file in files {
            // A test file next to the workflows is compiled only: its cases run under `flow test`.
            let report = TestSuite.isTestFile(file)
                ? TestSuite.check(path: file)
                : WorkflowCheck.check(path: file, registry: Composition.registry(workflowPath: file, pluginDirs: []))
            reports.append(FileReport(file: file, ok: report.isEmpty, problems: report))
            problems += report.count
            if output.isJSON { continue }
            for p in report { Console.info(p) }
            if report.isEmpty { Console.info("\(file): ok") }
        }
        if output.isJSON { Console.out(JSONText.render(reports, pretty: true)) }
        await Composition.shutdownAWS()
        if problems > 0 { throw ExitCode(Exit.usage) }
    }
}
