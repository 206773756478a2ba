import Foundation

/// The report of `flow bench --concurrent N`.
struct ConcurrentReport: Codable, Sendable {
    var command: String
    var machine: MachineInfo
    var concurrent: ConcurrentResult
    /// Medians over medians: pool and threads against one execution, N raw loops against one.
    var ratios: [String: Double]
    var goals: [BenchReport.Goal]

    init(command: String, machine: MachineInfo, concurrent c: ConcurrentResult) {
        self.command = command
        self.machine = machine
        self.concurrent = c
        ratios = ["pool_vs_single": c.poolRatio, "ungrouped_vs_single": c.ungroupedRatio, "unsynced_vs_single": c.unsyncedRatio, "threads_vs_single": c.threadRatio, "raw_parallel_vs_raw_single": c.rawRatio]
        goals = [
            BenchReport.Goal(name: "\(c.executions) executions in one process (default pool, group commit) / one execution's per-step rate",
                             goal: ">= 20x", measured: Fmt.ratio(c.poolRatio) + "x", met: c.poolRatio >= 20),
            BenchReport.Goal(name: "\(c.executions) executions on their own threads / one execution's per-step rate",
                             goal: ">= 20x", measured: Fmt.ratio(c.threadRatio) + "x", met: c.threadRatio >= 20),
        ]
    }

    func json() -> String { BenchJSON.encode(self) }

    func text() -> String {
        let c = concurrent
        let n = c.executions
        let rows: [[String]] = [
            ["MEASUREMENT", "MEDIAN", "MIN", "MAX", "RUNS", "GOAL"],
            Fmt.row("1 execution, \(c.singleSteps) steps, sync always: steps/s", c.singleStepsPerSecond, Fmt.rate),
            Fmt.row("\(n) × \(c.steps) steps, default pool, group commit: wall (ms)", c.poolSeconds, Fmt.millis),
            Fmt.row("\(n) × \(c.steps) steps, default pool, group commit: steps/s", c.poolStepsPerSecond, Fmt.rate,
                    goal: "ratio \(Fmt.ratio(c.poolRatio))x, \(goals[0].goal) \(goals[0].met ? "met" : "MISSED")"),
            Fmt.row("\(n) × \(c.steps) steps, default pool, fdatasync per log: steps/s", c.ungroupedStepsPerSecond, Fmt.rate,
                    goal: "ratio \(Fmt.ratio(c.ungroupedRatio))x"),
            Fmt.row("\(n) × \(c.steps) steps, default pool, no sync (CPU ceiling): steps/s", c.unsyncedStepsPerSecond, Fmt.rate,
                    goal: "ratio \(Fmt.ratio(c.unsyncedRatio))x"),
            Fmt.row("\(n) × \(c.steps) steps, a thread each, fdatasync per log: wall (ms)", c.threadSeconds, Fmt.millis),
            Fmt.row("\(n) × \(c.steps) steps, a thread each, fdatasync per log: steps/s", c.threadStepsPerSecond, Fmt.rate,
                    goal: "ratio \(Fmt.ratio(c.threadRatio))x, \(goals[1].goal) \(goals[1].met ? "met" : "MISSED")"),
            Fmt.row("raw write+fdatasync/s, 1 file (\(Fmt.bytes(c.bytesPerStep)) B)", c.rawSingleSyncsPerSecond, Fmt.rate),
            Fmt.row("raw write+fdatasync/s, \(n) files at once (all)", c.rawParallelSyncsPerSecond, Fmt.rate,
                    goal: "ratio \(Fmt.ratio(c.rawRatio))x"),
        ]
        return header(command: command, machine: machine) + Table.render(header: rows[0], rows: Array(rows.dropFirst())) + """


            Each execution has its own WAL (plus the directory syncs of its creation and its start and
            final records); only the N×M steps are counted. With group commit, the executions that commit
            while a sync is in flight share the next one (an fdatasync of a shared log): \(Fmt.ratio(c.roundsPerStep)) syncs
            per step, at most \(c.largestRound) logs in one, \(String(format: "%.2f", c.roundMilliseconds)) ms a round on average. Without it, each step is an fdatasync of its own log
            on a blocking-I/O thread. The raw rows are the disk's own answer (one loop; N loops on N files).
            """
    }
}

/// The report of `flow bench --home-executions N`.
struct HomeReport: Codable, Sendable {
    var command: String
    var machine: MachineInfo
    var home: HomeResult
    var goals: [BenchReport.Goal]

    init(command: String, machine: MachineInfo, home h: HomeResult) {
        self.command = command
        self.machine = machine
        self.home = h
        goals = [
            BenchReport.Goal(name: "flow status ID, \(h.executions) executions in the home", goal: "< 50 ms",
                             measured: Fmt.millis(h.statusSeconds.median) + " ms", met: h.statusSeconds.median < 0.05),
            BenchReport.Goal(name: "flow list, \(h.executions) executions in the home", goal: "< 50 ms",
                             measured: Fmt.millis(h.listSeconds.median) + " ms", met: h.listSeconds.median < 0.05),
        ]
    }

    func json() -> String { BenchJSON.encode(self) }

    func text() -> String {
        let h = home
        let rows: [[String]] = [
            ["MEASUREMENT", "MEDIAN", "MIN", "MAX", "RUNS", "GOAL"],
            Fmt.row("flow status ID, spawn→exit (ms)", h.statusSeconds, Fmt.millis,
                    goal: "\(goals[0].goal) \(goals[0].met ? "met" : "MISSED")"),
            Fmt.row("flow status ID, CPU user+sys (ms)", h.statusCPUSeconds, Fmt.millis),
            Fmt.row("flow status ID, peak RSS (MiB)", h.statusPeakRSSMiB, Fmt.mib),
            Fmt.row("flow list, spawn→exit (ms)", h.listSeconds, Fmt.millis,
                    goal: "\(goals[1].goal) \(goals[1].met ? "met" : "MISSED")"),
            Fmt.row("flow list, CPU user+sys (ms)", h.listCPUSeconds, Fmt.millis),
            Fmt.row("flow list, peak RSS (MiB)", h.listPeakRSSMiB, Fmt.mib),
            Fmt.row("flow list --json, spawn→exit (ms)", h.listJSONSeconds, Fmt.millis),
            Fmt.row("flow list --json, peak RSS (MiB)", h.listJSONPeakRSSMiB, Fmt.mib),
            Fmt.row("flow list, index removed, spawn→exit (ms)", h.coldListSeconds, Fmt.millis),
            Fmt.row("flow list, index removed, CPU user+sys (ms)", h.coldListCPUSeconds, Fmt.millis),
            Fmt.row("flow --version, spawn→exit (ms)", h.versionSeconds, Fmt.millis),
        ]
        return header(command: command, machine: machine)
            + "home: \(h.executions) finished executions of 3 steps, \(h.homeBytes / 1024) KiB (index \(h.indexBytes / 1024) KiB), made in \(Fmt.millis(h.buildSeconds)) ms\n\n"
            + Table.render(header: rows[0], rows: Array(rows.dropFirst()))
    }
}

private func header(command: String, machine m: MachineInfo) -> String {
    """
    flow bench (\(m.build) build): \(command)
    machine: \(m.kernel), \(m.cpus) CPUs, \(m.cpuModel); load average \(m.loadAverage) at start
    bench dir filesystem: \(m.filesystem) on \(m.device) (mounted at \(m.mountPoint))


    """
}

enum BenchJSON {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
