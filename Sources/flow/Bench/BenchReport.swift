import Foundation

/// Everything one `flow bench` measured, printed as a table or encoded as JSON.
struct BenchReport: Codable, Sendable {
    struct Goal: Codable, Sendable {
        var name: String
        var goal: String
        var measured: String
        var met: Bool
    }

    var command: String
    var machine: MachineInfo
    var durable: DurableStepResult
    var replay: ReplayResult
    var startup: StartupResult
    var goals: [Goal]

    init(command: String, machine: MachineInfo, durable: DurableStepResult, replay: ReplayResult,
         startup: StartupResult) {
        self.command = command
        self.machine = machine
        self.durable = durable
        self.replay = replay
        self.startup = startup
        let resumeMillis = replay.resumeSeconds.median * 1000
        let runMillis = startup.emptyRunSeconds.median * 1000
        // The replay goal is for 100k steps; scale it when the journal has a different size.
        let replayGoal = 300 * Double(replay.steps) / 100_000
        goals = [
            Goal(name: "durable steps/s, flow / raw", goal: ">= 0.80", measured: Fmt.ratio(durable.ratio),
                 met: durable.ratio >= 0.8),
            Goal(name: "flow resume of \(replay.steps) steps", goal: "< \(Fmt.millis(replayGoal / 1000)) ms",
                 measured: "\(Fmt.millis(replay.resumeSeconds.median)) ms", met: resumeMillis < replayGoal),
            Goal(name: "flow run empty.lua", goal: "< 50 ms", measured: "\(Fmt.millis(startup.emptyRunSeconds.median)) ms",
                 met: runMillis < 50),
        ]
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    func text() -> String {
        let m = machine
        var lines = [
            "flow bench (\(m.build) build): \(command)",
            "machine: \(m.kernel), \(m.cpus) CPUs, \(m.cpuModel); load average \(m.loadAverage) at start",
            "bench dir filesystem: \(m.filesystem) on \(m.device) (mounted at \(m.mountPoint))",
            "",
        ]
        let d = durable
        let r = replay
        let s = startup
        let rows: [[String]] = [
            ["MEASUREMENT", "MEDIAN", "MIN", "MAX", "RUNS", "GOAL"],
            Fmt.row("(a) flow durable steps/s, sync always, N=\(d.steps)", d.flowStepsPerSecond, Fmt.rate),
            Fmt.row("(a) raw write+fdatasync/s, \(Fmt.bytes(d.bytesPerStep)) B each", d.rawStepsPerSecond, Fmt.rate),
            Fmt.row("(a) flow steps/s, sync none (CPU cost only)", d.flowNoSyncStepsPerSecond, Fmt.rate),
            ["(a) ratio flow / raw (min/max: per pair)", Fmt.ratio(d.ratio), Fmt.ratio(d.pairRatios.min),
             Fmt.ratio(d.pairRatios.max), String(d.pairRatios.runs), goalCell(0)],
            ["(b) journal build, flow run --sync none", "\(Fmt.millis(r.buildSeconds)) ms", "", "", "1",
             "\(r.journalBytes / 1024) KiB journal"],
            Fmt.row("(b) flow resume, \(r.steps) steps, spawn→exit (ms)", r.resumeSeconds, Fmt.millis, goal: goalCell(1)),
            Fmt.row("(b) replayed steps/s, flow resume", r.resumeStepsPerSecond, Fmt.rate),
            Fmt.row("(b) peak RSS of flow resume (MiB)", r.peakRSSMiB, Fmt.mib),
            Fmt.row("(b) CPU time of flow resume, user+sys (ms)", r.resumeCPUSeconds, Fmt.millis),
            Fmt.row("(b) in-process resume, no process start (ms)", r.inProcessSeconds, Fmt.millis),
            Fmt.row("(b) replayed steps/s, in-process", r.inProcessStepsPerSecond, Fmt.rate),
            Fmt.row("(c) flow run empty.lua, spawn→exit (ms)", s.emptyRunSeconds, Fmt.millis, goal: goalCell(2)),
            Fmt.row("(c) flow --version, spawn→exit (ms)", s.versionSeconds, Fmt.millis),
            Fmt.row("(c) CPU time of flow run empty.lua, user+sys (ms)", s.emptyRunCPUSeconds, Fmt.millis),
            Fmt.row("(c) peak RSS of flow run empty.lua (MiB)", s.emptyRunPeakRSSMiB, Fmt.mib),
        ]
        lines.append(Table.render(header: rows[0], rows: Array(rows.dropFirst())))
        lines += [
            "",
            "(a) each flow.step appends an intent record (not synced) and a completed record, then one fdatasync;",
            "    the raw loop does one write(2) of both records' bytes (\(Fmt.bytes(d.bytesPerStep)) B = journal growth / N)",
            "    and one fdatasync per iteration, to a file in the same directory. Flow times include Lua set-up",
            "    and the start and final records. The sync-none row is the same workflow without fdatasync: flow's",
            "    CPU cost per step, which bounds the ratio when the disk is steady (the disk here may not be).",
            "(b) the journal is left by SIGKILLing `flow run --sync none` while it waits for flow.signal(\"go\");",
            "    each run resumes a fresh copy with the signal already posted, so it exits right after replay.",
        ]
        return lines.joined(separator: "\n")
    }

    private func goalCell(_ i: Int) -> String {
        "\(goals[i].goal) \(goals[i].met ? "met" : "MISSED")"
    }
}

/// Number formats for the table.
enum Fmt {
    static func row(_ name: String, _ s: BenchSample, _ f: (Double) -> String, goal: String = "") -> [String] {
        [name, f(s.median), f(s.min), f(s.max), String(s.runs), goal]
    }

    static func rate(_ v: Double) -> String { String(format: "%.0f", v) }
    static func ratio(_ v: Double) -> String { String(format: "%.2f", v) }
    static func millis(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }
    static func mib(_ v: Double) -> String { String(format: "%.1f", v) }
    static func bytes(_ v: Double) -> String { String(format: "%.0f", v) }
}
