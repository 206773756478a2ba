import Foundation

/// (c) Start-up: `flow run` of an empty workflow, whole process from spawn to exit, next to
/// `flow --version` (the floor: exec, dynamic linking and Swift runtime start, no engine work).
struct StartupResult: Codable, Sendable {
    var emptyRunSeconds: BenchSample
    var versionSeconds: BenchSample
    var emptyRunPeakRSSMiB: BenchSample
    /// CPU time (user + system) of `flow run empty.lua`: other work stretches it less than wall time.
    var emptyRunCPUSeconds: BenchSample
}

enum StartupBench {
    static func run(directory: String, runs: Int, log: String) throws -> StartupResult {
        let dir = directory + "/startup"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = dir + "/empty.lua"
        try BenchScripts.write("", to: script)
        let home = dir + "/home"
        let scratch = dir + "/reaper.out"
        var runTimes: [Double] = []
        var rss: [Double] = []
        var versionTimes: [Double] = []
        var cpu: [Double] = []
        for _ in 1...runs {
            let ended = try ChildReaper.measure(["run", script, "--home", home, "--quiet"], log: log, scratch: scratch)
            guard ended.status == 0 else { throw BenchFailure("flow run empty.lua exited with \(ended.status) (see \(log))") }
            runTimes.append(ended.seconds)
            rss.append(Double(ended.maxRSSKiB) / 1024)
            cpu.append(ended.cpuSeconds)
            let version = try ChildReaper.measure(["--version"], log: log, scratch: scratch)
            guard version.status == 0 else { throw BenchFailure("flow --version exited with \(version.status)") }
            versionTimes.append(version.seconds)
        }
        return StartupResult(
            emptyRunSeconds: BenchSample(runTimes), versionSeconds: BenchSample(versionTimes),
            emptyRunPeakRSSMiB: BenchSample(rss), emptyRunCPUSeconds: BenchSample(cpu))
    }
}
