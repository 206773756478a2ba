import ArgumentParser
import FlowEngine
import FlowLua

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a workflow; prints its execution id, then runs it to the end.",
        discussion: """
            Examples:
              flow run workflows/hello.lua --param name=alice
              flow run workflows/canary.lua --id canary-2026-11-26-1200-ab12 \\
                --param zone=example.com --param record=app.example.com \\
                --param cluster=prod --param service=app-green \\
                --param target_group=app-green
              flow run workflows/canary.lua --params canary-prod.json \\
                --region eu-west-1 --notify https://hooks.slack.com/services/T000/B000/XXXX
              flow run workflows/hello.lua --events - | tail -n 1 | jq .result
            """)

    @Argument(help: "The workflow script (.lua).", completion: Completions.lua)
    var file: String

    @Option(help: "Execution id (default: NAME-DATE-TIME-XXXX).")
    var id: String?

    @Option(name: .customLong("param"), help: "A parameter, NAME=VALUE (typed by the workflow's default). Repeatable.")
    var params: [String] = []

    @Option(name: .customLong("params"), help: "A JSON file of parameters (an object).", completion: Completions.json)
    var paramsFile: String?

    @OptionGroup var home: HomeOptions
    @OptionGroup var drive: DriveOptions

    func run() async throws {
        let raw: [String: LuaValue]
        do {
            raw = try ParameterInput.parse(pairs: params, file: paramsFile)
        } catch let e as RunError {
            throw fail(e)
        }
        let options = Composition.options(home: home.flowHome, drive: drive, workflowPath: file)
        let code = await Composition.drive(.start(script: file, id: id, params: raw), options: options)
        if code != 0 { throw ExitCode(code) }
    }
}
