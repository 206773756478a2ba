import FlowEngine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// (b) Replay: a journal of N steps left by a killed process, resumed by `flow resume` in a child
/// process (spawn to exit, peak RSS from wait4) and, to leave process start-up out, in-process.
struct ReplayResult: Codable, Sendable {
    var steps: Int
    /// Building the journal: `flow run --sync none` in a child until it waits for the signal.
    var buildSeconds: Double
    var journalBytes: Int
    /// `flow resume` in a child, spawn to exit (signal already posted, so it ends right after replay).
    var resumeSeconds: BenchSample
    var resumeStepsPerSecond: BenchSample
    var peakRSSMiB: BenchSample
    /// CPU time (user + system) of that `flow resume`: other work on the machine stretches it less than wall time.
    var resumeCPUSeconds: BenchSample
    /// `ExecutionRunner(.resume)` in this process: no exec, dyld or Swift runtime start-up.
    var inProcessSeconds: BenchSample
    var inProcessStepsPerSecond: BenchSample
}

enum ReplayBench {
    static let id = "replay"

    static func run(directory: String, steps: Int, runs: Int, log: String) async throws -> ReplayResult {
        let dir = directory + "/replay"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = dir + "/replay.lua"
        try BenchScripts.write(BenchScripts.stepsThenSignal(steps), to: script)
        let pristine = dir + "/pristine"
        let buildSeconds = try buildJournal(script: script, home: pristine, log: log)
        let journalBytes = try BenchFiles.size(ofTree: FlowHome(root: pristine).journalDirectory(of: id))

        var childTimes: [Double] = []
        var rss: [Double] = []
        var cpu: [Double] = []
        for k in 1...runs {
            let home = try freshCopy(of: pristine, at: dir + "/child-\(k)")
            let ended = try ChildReaper.measure(
                ["resume", id, "--home", home, "--quiet"], log: log, scratch: dir + "/reaper.out")
            guard ended.status == 0 else {
                throw BenchFailure("flow resume exited with \(ended.status) (see \(log))")
            }
            childTimes.append(ended.seconds)
            rss.append(Double(ended.maxRSSKiB) / 1024)
            cpu.append(ended.cpuSeconds)
            try FileManager.default.removeItem(atPath: home)
        }

        var inProcessTimes: [Double] = []
        for k in 1...runs {
            let home = try freshCopy(of: pristine, at: dir + "/inproc-\(k)")
            inProcessTimes.append(try await resumeInProcess(home: home))
            try FileManager.default.removeItem(atPath: home)
        }
        let child = BenchSample(childTimes)
        let inProcess = BenchSample(inProcessTimes)
        return ReplayResult(
            steps: steps, buildSeconds: buildSeconds, journalBytes: journalBytes,
            resumeSeconds: child, resumeStepsPerSecond: child.rate(count: steps), peakRSSMiB: BenchSample(rss),
            resumeCPUSeconds: BenchSample(cpu),
            inProcessSeconds: inProcess, inProcessStepsPerSecond: inProcess.rate(count: steps))
    }

    /// Runs the workflow in a child with `--sync none` until `flow status` would say it is
    /// waiting for the signal, then SIGKILLs it: an interrupted execution of N completed steps.
    static func buildJournal(script: String, home: String, log: String) throws -> Double {
        let child = try ChildProcess.spawn(
            ["run", script, "--id", id, "--home", home, "--sync", "none", "--quiet"], log: log)
        let flowHome = FlowHome(root: home)
        while true {
            if let ended = child.poll() {
                throw BenchFailure("flow run exited with \(ended.status) before waiting for the signal (see \(log))")
            }
            if (try? ExecutionSummary.load(home: flowHome, id: id))?.status == "waiting" { break }
            usleep(50_000)
        }
        let seconds = BenchClock.seconds(since: child.started)
        child.kill(SIGKILL)
        _ = child.wait()
        return seconds
    }

    /// A copy of the killed execution's home with signal `go` already in its inbox.
    static func freshCopy(of pristine: String, at path: String) throws -> String {
        try BenchFiles.copyTree(pristine, to: path)
        let message = InboxMessage(kind: .signal, name: "go", from: "flow-bench", at: WallClock.now())
        try Inbox(directory: FlowHome(root: path).inboxDirectory(of: id)).post(message)
        return path
    }

    static func resumeInProcess(home: String) async throws -> Double {
        var options = RunOptions(home: FlowHome(root: home))
        options.registry = StepRegistry.standard
        let runner = ExecutionRunner(.resume(id: id), options: options)
        let start = ContinuousClock.now
        let outcome = try await runner.run()
        let seconds = BenchClock.seconds(since: start)
        guard case .succeeded = outcome else { throw BenchFailure("in-process resume did not succeed: \(outcome)") }
        return seconds
    }
}
