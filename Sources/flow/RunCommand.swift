import ArgumentParser
import FlowEngine
import FlowLua

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a workflow; prints its execution id, then runs it to the end.")

    @Argument(help: "The workflow script (.lua).")
    var file: String

    @Option(help: "Execution id (default: NAME-DATE-TIME-XXXX).")
    var id: String?

    @Option(name: .customLong("param"), help: "A parameter, NAME=VALUE (typed by the workflow's default). Repeatable.")
    var params: [String] = []

    @Option(name: .customLong("params"), help: "A JSON file of parameters (an object).")
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
