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

            Two other modes, each instead of (a)-(c): --concurrent N runs N executions of \
            --concurrent-steps steps at once in this process (on the default pool, then a thread each) \
            against one execution's per-step rate and the disk's raw rates; --home-executions N times \
            `flow status ID` and `flow list` over a home of N small finished executions.

            Examples:
              flow bench --quick
              flow bench --dir /mnt/data/flow-bench --json > bench.json
              flow bench --concurrent 100 --concurrent-steps 100 --runs 3
              flow bench --home-executions 10000 --runs 11
            """)

    @Flag(help: "Smaller sizes for a fast look: --steps 200 --replay-steps 10000 --runs 5.")
    var quick = false

    @Option(help: "Durable steps per run for (a) (default 2000).")
    var steps: Int?

    @Option(name: .customLong("replay-steps"), help: "Steps in the journal replayed by (b) (default 100000).")
    var replaySteps: Int?

    @Option(help: "Runs of (c), and the cap for (a) (3) and (b) (5) (default 20); runs of --concurrent and --home-executions (default 5).")
    var runs: Int?

    @Option(help: "Where to write (default ./.flow-bench); a fresh subdirectory is used and removed at the end.",
            completion: .directory)
    var dir: String?

    @Option(help: "Instead of (a)-(c): N executions at once in this process, against one (group commit).")
    var concurrent: Int?

    @Option(name: .customLong("concurrent-steps"), help: "Durable steps per execution with --concurrent (default 100).")
    var concurrentSteps: Int?

    @Option(name: .customLong("home-executions"), help: "Instead of (a)-(c): time flow status and flow list over a home of N executions.")
    var homeExecutions: Int?

    /// json: the report as JSON on stdout, the table on stderr.
    @OptionGroup var output: OutputOptions

    /// Internal: run as `ChildReaper` for the `flow` arguments after `--`.
    @Flag(help: .hidden)
    var reap = false

    @Argument(parsing: .postTerminator, help: .hidden)
    var childArguments: [String] = []

    func validate() throws {
        for (name, value) in [("--steps", steps), ("--replay-steps", replaySteps), ("--runs", runs),
                              ("--concurrent", concurrent), ("--concurrent-steps", concurrentSteps),
                              ("--home-executions", homeExecutions)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        if reap != !childArguments.isEmpty { throw ValidationError("--reap takes the flow arguments after --, and only it") }
        if concurrent != nil && homeExecutions != nil {
            throw ValidationError("--concurrent and --home-executions are separate modes: give one")
        }
        if concurrentSteps != nil && concurrent == nil { throw ValidationError("--concurrent-steps goes with --concurrent") }
        if (concurrent != nil || homeExecutions != nil) && (steps != nil || replaySteps != nil) {
            throw ValidationError("--steps and --replay-steps are for (a)-(c), not for --concurrent or --home-executions")
        }
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
        if concurrent != nil || homeExecutions != nil {
            return try await runMode(base: base, work: work, log: log, runs: self.runs ?? (quick ? 3 : 5))
        }
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

    /// --concurrent or --home-executions: one measurement, its own table and JSON.
    private func runMode(base: String, work: String, log: String, runs: Int) async throws {
        let machine = MachineInfo.current(directory: work)
        let text: String
        let json: String
        do {
            if let n = concurrent {
                let m = concurrentSteps ?? 100
                progress("\(n) executions of \(m) durable steps at once, against one execution; \(runs) runs")
                let result = try await ConcurrentBench.run(directory: work, executions: n, steps: m, runs: runs, progress: progress)
                let report = ConcurrentReport(
                    command: "flow bench --concurrent \(n) --concurrent-steps \(m) --runs \(runs)", machine: machine, concurrent: result)
                (text, json) = (report.text(), report.json())
            } else {
                let n = homeExecutions!
                let result = try await HomeBench.run(directory: work, executions: n, runs: runs, log: log, progress: progress)
                let report = HomeReport(command: "flow bench --home-executions \(n) --runs \(runs)", machine: machine, home: result)
                (text, json) = (report.text(), report.json())
            }
        } catch {
            Console.error("bench failed: \(error); its files are kept in \(work)")
            throw ExitCode(Exit.internalError)
        }
        try? FileManager.default.removeItem(atPath: work)
        if dir == nil { rmdir(base) }
        if output.isJSON {
            Console.info(text)
            Console.out(json)
        } else {
            Console.out(text)
        }
    }

    private func progress(_ message: String) {
        Console.info("bench: \(message)…")
    }

    private func commandLine(steps: Int, replaySteps: Int, runs: Int) -> String {
        "flow bench --steps \(steps) --replay-steps \(replaySteps) --runs \(runs)"
    }
}
