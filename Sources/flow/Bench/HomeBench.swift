import FlowEngine
import Foundation

/// `flow bench --home-executions N`: `flow status ID` and `flow list` as whole processes over a
/// home of N small finished executions (real journals written by in-process runners, sync none,
/// each indexed as it finishes), spawn to exit with their peak RSS, next to `flow --version`; and
/// `flow list` again with the index removed, as after losing it.
struct HomeResult: Codable, Sendable {
    var executions: Int
    var buildSeconds: Double
    var homeBytes: Int
    var statusSeconds: BenchSample
    var statusPeakRSSMiB: BenchSample
    /// CPU time (user + system): other work on the machine stretches it less than wall time.
    var statusCPUSeconds: BenchSample
    var listSeconds: BenchSample
    var listCPUSeconds: BenchSample
    var listPeakRSSMiB: BenchSample
    var listJSONSeconds: BenchSample
    var listJSONPeakRSSMiB: BenchSample
    /// `flow list` with `HOME/index` removed first: every journal read (and the index written again).
    var coldListSeconds: BenchSample
    var coldListCPUSeconds: BenchSample
    var indexBytes: Int
    var versionSeconds: BenchSample
}

enum HomeBench {
    /// Three steps, a log line and a result: a small finished execution.
    static let workflow = """
        local a = flow.step("fetch", function() return { n = 1, name = "blue" } end)
        local b = flow.step("check", function() return a.n + 1 end)
        flow.step("record", function() return b * 2 end)
        return { ok = true, value = b }

        """

    static func id(_ i: Int) -> String { String(format: "small-%05d", i) }

    static func run(directory: String, executions: Int, runs: Int, log: String,
                    progress: (String) -> Void) async throws -> HomeResult {
        let dir = directory + "/home-bench"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = dir + "/small.lua"
        try BenchScripts.write(workflow, to: script)
        let home = FlowHome(root: dir + "/home")
        progress("creating \(executions) finished executions")
        let start = ContinuousClock.now
        try await build(home: home, script: script, executions: executions)
        let buildSeconds = BenchClock.seconds(since: start)
        let homeBytes = try BenchFiles.size(ofTree: home.root)

        let scratch = dir + "/reaper.out"
        let middle = id(executions / 2)
        var status: [Double] = [], statusRSS: [Double] = []
        var list: [Double] = [], listRSS: [Double] = []
        var listJSON: [Double] = [], listJSONRSS: [Double] = []
        var version: [Double] = []
        var statusCPU: [Double] = [], listCPU: [Double] = [], unusedCPU: [Double] = []
        var cold: [Double] = [], coldCPU: [Double] = [], coldRSS: [Double] = []
        let index = home.root + "/index"
        let indexBytes = (try? FileManager.default.attributesOfItem(atPath: index)[.size] as? Int) ?? 0
        func measure(_ arguments: [String], _ times: inout [Double], _ rss: inout [Double], _ cpu: inout [Double]) throws {
            let ended = try ChildReaper.measure(arguments, log: log, scratch: scratch)
            guard ended.status == 0 else {
                throw BenchFailure("flow \(arguments.joined(separator: " ")) exited with \(ended.status) (see \(log))")
            }
            times.append(ended.seconds)
            rss.append(Double(ended.maxRSSKiB) / 1024)
            cpu.append(ended.cpuSeconds)
        }
        progress("timing flow status, flow list, flow list --json, \(runs) runs each")
        var unused: [Double] = []
        for _ in 1...runs {
            try measure(["status", middle, "--home", home.root], &status, &statusRSS, &statusCPU)
            try measure(["list", "--home", home.root], &list, &listRSS, &listCPU)
            try measure(["list", "--json", "--home", home.root], &listJSON, &listJSONRSS, &unusedCPU)
            try measure(["--version"], &version, &unused, &unusedCPU)
            try? FileManager.default.removeItem(atPath: index)
            try measure(["list", "--home", home.root], &cold, &coldRSS, &coldCPU)
        }
        return HomeResult(
            executions: executions, buildSeconds: buildSeconds, homeBytes: homeBytes,
            statusSeconds: BenchSample(status), statusPeakRSSMiB: BenchSample(statusRSS),
            statusCPUSeconds: BenchSample(statusCPU),
            listSeconds: BenchSample(list), listCPUSeconds: BenchSample(listCPU), listPeakRSSMiB: BenchSample(listRSS),
            listJSONSeconds: BenchSample(listJSON), listJSONPeakRSSMiB: BenchSample(listJSONRSS),
            coldListSeconds: BenchSample(cold), coldListCPUSeconds: BenchSample(coldCPU), indexBytes: indexBytes,
            versionSeconds: BenchSample(version))
    }

    /// Runs the executions in-process with sync none, 8 at a time (each on a thread of its own, so
    /// the directory fsyncs of their creation overlap).
    static func build(home: FlowHome, script: String, executions: Int) async throws {
        let workers = 8
        let executors = (0..<workers).map { ThreadExecutor(name: "bench-home-\($0)") }
        defer { executors.forEach { $0.shutdown() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<workers {
                group.addTask(executorPreference: executors[w]) {
                    for i in stride(from: w, to: executions, by: workers) {
                        _ = try await DurableStepBench.runInProcess(home: home, script: script, id: id(i), sync: .none)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
