import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `flow bench`: durable step throughput against a raw fdatasync loop, replay of a long
/// journal, and whole-process start-up, all measured in one run (docs/PERFORMANCE.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure durable steps/s, replay speed and start-up time on this machine.",
        discussion: """
            (a) N trivial flow.step calls with fdatasync per step, in-process, against a raw loop of one \
            write(2) of the same bytes (intent + completed record) and one fdatasync per step; 3 runs. \
            (b) `flow resume` of an execution of --replay-steps steps killed while waiting for a signal, \
            spawn to exit, with its peak RSS, and the same resume in-process; up to 5 runs. \
            (c) `flow run` of an empty workflow, spawn to exit; --runs runs. \
            With --output json (or --json) the table goes to stderr and the JSON report to stdout.

            Examples:
              flow bench --quick
              flow bench --dir /mnt/data/flow-bench --json > bench.json
            """)

    @Flag(help: "Smaller sizes for a fast look: --steps 200 --replay-steps 10000 --runs 5.")
    var quick = false

    @Option(help: "Durable steps per run for (a) (default 2000).")
    var steps: Int?

    @Option(name: .customLong("replay-steps"), help: "Steps in the journal replayed by (b) (default 100000).")
    var replaySteps: Int?

    @Option(help: "Runs of (c), and the cap for (a) (3) and (b) (5) (default 20).")
    var runs: Int?

    @Option(help: "Where to write (default ./.flow-bench); a fresh subdirectory is used and removed at the end.",
            completion: .directory)
    var dir: String?

    /// json: the report as JSON on stdout, the table on stderr.
    @OptionGroup var output: OutputOptions

    /// Internal: run as `ChildReaper` for the `flow` arguments after `--`.
    @Flag(help: .hidden)
    var reap = false

    @Argument(parsing: .postTerminator, help: .hidden)
    var childArguments: [String] = []

    func validate() throws {
        for (name, value) in [("--steps", steps), ("--replay-steps", replaySteps), ("--runs", runs)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        if reap != !childArguments.isEmpty { throw ValidationError("--reap takes the flow arguments after --, and only it") }
    }

    func run() async throws {
        if reap { return try ChildReaper.serve(childArguments) }
        let steps = self.steps ?? (quick ? 200 : 2000)
        let replaySteps = self.replaySteps ?? (quick ? 10_000 : 100_000)
        let runs = self.runs ?? (quick ? 5 : 20)
        let base = BenchFiles.absolute(dir ?? ".flow-bench")
        let work = base + "/bench-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let log = work + "/children.log"
        let report: BenchReport
        do {
            let machine = MachineInfo.current(directory: work)
            progress("(a) \(steps) durable steps, flow vs raw write+fdatasync, 3 runs")
            let durable = try await DurableStepBench.run(directory: work, steps: steps, runs: min(runs, 3))
            progress("(b) building a journal of \(replaySteps) steps, then resuming it, \(min(runs, 5)) runs")
            let replay = try await ReplayBench.run(directory: work, steps: replaySteps, runs: min(runs, 5), log: log)
            progress("(c) flow run of an empty workflow, \(runs) runs")
            let startup = try StartupBench.run(directory: work, runs: runs, log: log)
            report = BenchReport(
                command: commandLine(steps: steps, replaySteps: replaySteps, runs: runs), machine: machine,
                durable: durable, replay: replay, startup: startup)
        } catch {
            Console.error("bench failed: \(error); its files are kept in \(work)")
            if let tail = try? String(contentsOfFile: log, encoding: .utf8), !tail.isEmpty {
                Console.info("children's stderr (last lines):\n" + tail.split(separator: "\n").suffix(10).joined(separator: "\n"))
            }
            throw ExitCode(Exit.internalError)
        }
        try? FileManager.default.removeItem(atPath: work)
        if dir == nil { rmdir(base) }  // only if empty: another bench may be running
        if output.isJSON {
            Console.info(report.text())
            Console.out(report.json())
        } else {
            Console.out(report.text())
        }
    }

    private func progress(_ message: String) {
        Console.info("bench: \(message)…")
    }

    private func commandLine(steps: Int, replaySteps: Int, runs: Int) -> String {
        "flow bench --steps \(steps) --replay-steps \(replaySteps) --runs \(runs)"
    }
}
