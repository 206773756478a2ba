import FlowEngine
import FlowWAL
import Foundation

/// (a) Durable steps per second: a workflow of N trivial `flow.step`s run in-process with
/// fdatasync on every commit, against `RawSyncLoop` writing the same bytes per step.
struct DurableStepResult: Codable, Sendable {
    var steps: Int
    /// Journal bytes flow appends per step (intent + completed record), from file growth / N.
    var bytesPerStep: Double
    var flowStepsPerSecond: BenchSample
    var rawStepsPerSecond: BenchSample
    /// The same workflow with sync policy none: flow's CPU cost per step, without the disk.
    var flowNoSyncStepsPerSecond: BenchSample
    /// median flow / median raw; the goal is >= 0.8.
    var ratio: Double
    /// flow / raw of each pair of runs made back to back: the disk's speed drifts less within a pair.
    var pairRatios: BenchSample
}

enum DurableStepBench {
    static func run(directory: String, steps: Int, runs: Int) async throws -> DurableStepResult {
        let dir = directory + "/durable"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = dir + "/steps.lua"
        let empty = dir + "/empty.lua"
        try BenchScripts.write(BenchScripts.steps(steps), to: script)
        try BenchScripts.write("", to: empty)
        let home = FlowHome(root: dir + "/home")

        // What one step costs in journal bytes: the N-step journal minus an empty run's.
        _ = try await runInProcess(home: home, script: empty, id: "empty-0")
        let overhead = try BenchFiles.size(ofTree: home.journalDirectory(of: "empty-0"))
        _ = try await runInProcess(home: home, script: script, id: "steps-0")
        let total = try BenchFiles.size(ofTree: home.journalDirectory(of: "steps-0"))
        let bytesPerStep = Double(total - overhead) / Double(steps)
        let recordBytes = Int(bytesPerStep.rounded())

        // Interleaved, in alternating order, so drift in the disk's speed hits both sides alike.
        var flowTimes: [Double] = []
        var rawTimes: [Double] = []
        var noSyncTimes: [Double] = []
        for k in 1...runs {
            noSyncTimes.append(try await runInProcess(home: home, script: script, id: "nosync-\(k)", sync: .none))
            let rawPath = dir + "/raw-\(k).bin"
            if k % 2 == 0 {
                rawTimes.append(try RawSyncLoop.run(path: rawPath, recordBytes: recordBytes, count: steps))
            }
            flowTimes.append(try await runInProcess(home: home, script: script, id: "steps-\(k)"))
            if k % 2 == 1 {
                rawTimes.append(try RawSyncLoop.run(path: rawPath, recordBytes: recordBytes, count: steps))
            }
        }
        let flow = BenchSample(flowTimes).rate(count: steps)
        let raw = BenchSample(rawTimes).rate(count: steps)
        return DurableStepResult(
            steps: steps, bytesPerStep: bytesPerStep, flowStepsPerSecond: flow, rawStepsPerSecond: raw,
            flowNoSyncStepsPerSecond: BenchSample(noSyncTimes).rate(count: steps),
            ratio: flow.median / raw.median, pairRatios: BenchSample(zip(rawTimes, flowTimes).map { $0 / $1 }))
    }

    /// Seconds for the whole in-process run (Lua set-up, start record, steps, final record).
    static func runInProcess(home: FlowHome, script: String, id: String, sync: SyncPolicy = .always,
                             groupCommit: Bool = false) async throws -> Double
    {
        var options = RunOptions(home: home)
        options.syncPolicy = sync
        options.groupCommit = groupCommit
        options.registry = StepRegistry.standard
        let runner = ExecutionRunner(.start(script: script, id: id, params: [:]), options: options)
        let start = ContinuousClock.now
        let outcome = try await runner.run()
        let seconds = BenchClock.seconds(since: start)
        guard case .succeeded = outcome else { throw BenchFailure("\(script) did not succeed: \(outcome)") }
        return seconds
    }
}
