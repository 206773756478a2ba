import ArgumentParser
import FlowEngine
import FlowTesting
import Foundation

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run workflow and gate tests (*_test.lua) under virtual time with mocked steps and a simulated cloud.",
        discussion: """
            A test file runs real workflows with t.run (a 24-hour bake takes milliseconds), \
            scripts any step's answers per call or per attempt, simulates Route53, target health, \
            alarms, metrics, ECS and HTTP, schedules signals and operator commands at virtual \
            times, and tests Lua gates alone with t.gate. Nothing reaches AWS. Guide: docs/TESTING.md.

            Exit status: 0 every case passed, 1 a case failed, 2 no test files or a bad path.

            Examples:
              flow test                                  # every *_test.lua under the current folder
              flow test workflows plugins/gates
              flow test workflows/canary_test.lua --filter "fails back"
              flow test --keep                           # keep each run's journal for flow show
            """)

    @Argument(help: "Test files, or folders searched for *_test.lua (default: the current folder).",
              completion: Completions.lua)
    var paths: [String] = []

    @Option(help: "Run only the cases whose name contains this text.")
    var filter: String?

    @Option(name: .customLong("plugins"), help: "A folder of Lua gates (or holding gates/), searched first; repeatable.",
            completion: .directory)
    var pluginDirs: [String] = []

    @Flag(help: "Keep each run's home (its journal) and print where, for flow show --home DIR ID.")
    var keep = false

    @OptionGroup var output: OutputOptions  // json: {passed, failed, cases: [{file, name, passed, failure, seconds}]}

    struct Report: Encodable {
        struct Case: Encodable {
            var file: String
            var name: String
            var passed: Bool
            var failure: String?
            var seconds: Double
        }
        var passed: Int
        var failed: Int
        var cases: [Case]
    }

    func run() async throws {
        let files: [String]
        do {
            files = try TestSuite.discover(paths.isEmpty ? ["."] : paths)
        } catch {
            Console.error("flow test: \(error)")
            throw ExitCode(Exit.usage)
        }
        guard !files.isEmpty else {
            Console.error("flow test: no *_test.lua files under \(paths.isEmpty ? "." : paths.joined(separator: ", "))")
            throw ExitCode(Exit.usage)
        }
        let dirs = pluginDirs
        let environment = ProcessInfo.processInfo.environment
        let testEnvironment = TestEnvironment(
            registry: Composition.registry(workflowPath: nil, pluginDirs: dirs),
            gateSearchPath: { path, extra in
                LuaGatePlugin.defaultSearchPath(workflowPath: path, extra: extra + dirs, environment: environment)
            },
            keepHomes: keep)
        let json = output.isJSON
        var currentFile: String?
        let results = await TestSuite.run(files: files, environment: testEnvironment, filter: filter) { result in
            guard !json else { return }
            if result.file != currentFile {
                currentFile = result.file
                Console.out(result.file)
            }
            let time = String(format: "%.2f s", result.seconds)
            if let failure = result.failure {
                Console.out("  FAIL  \(result.name)  (\(time))")
                for line in failure.split(separator: "\n", omittingEmptySubsequences: false) { Console.out("        \(line)") }
            } else {
                Console.out("  ok    \(result.name)  (\(time))")
            }
        }
        await Composition.shutdownAWS()
        let failed = results.filter { !$0.passed }.count
        let passed = results.count - failed
        if json {
            let cases = results.map { Report.Case(file: $0.file, name: $0.name, passed: $0.passed, failure: $0.failure, seconds: $0.seconds) }
            Console.out(JSONText.render(Report(passed: passed, failed: failed, cases: cases), pretty: true))
        } else {
            Console.out("\(passed) passed, \(failed) failed")
        }
        if failed > 0 { throw ExitCode(Exit.failed) }
    }
}
