import FlowEngine
import FlowWAL
import Foundation

/// `flow bench --concurrent N`: N executions of M durable steps (sync always) driven at once by
/// one process, against one execution's per-step rate and against the disk's own rates (one
/// raw write+fdatasync loop; N such loops at once on N files).
///
/// Each execution has its own WAL. With group commit (FlowWAL/GroupCommit.swift) the executions
/// that commit while a sync is in flight share the next one (one fdatasync of a shared log); without it,
/// N executions make N fdatasyncs of N files, each on a blocking-I/O thread while its execution
/// waits. The thread-per-execution row (`ThreadExecutor`, group commit off) is the earlier way of
/// having all N syncs in flight.
struct ConcurrentResult: Codable, Sendable {
    var executions: Int
    var steps: Int
    /// Steps of the single execution that gives the per-step rate.
    var singleSteps: Int
    var bytesPerStep: Double
    /// One execution, in-process, sync always: the per-step rate.
    var singleStepsPerSecond: BenchSample
    /// N executions as tasks on the default pool: wall time from the first start to the last end.
    var poolSeconds: BenchSample
    var poolStepsPerSecond: BenchSample
    /// N executions on the default pool with group commit off: an fdatasync per log per step.
    var ungroupedSeconds: BenchSample
    var ungroupedStepsPerSecond: BenchSample
    /// N executions on the default pool with no sync at all: the engine's CPU ceiling, which no
    /// way of grouping syncs can pass.
    var unsyncedSeconds: BenchSample
    var unsyncedStepsPerSecond: BenchSample
    /// Group-commit rounds (syncs) per step and the most logs one round covered, over the grouped runs.
    var roundsPerStep: Double
    var largestRound: Int
    /// Mean time of one round (write + fdatasync of the shared log), in milliseconds.
    var roundMilliseconds: Double
    /// N executions, each on a thread of its own, group commit off.
    var threadSeconds: BenchSample
    var threadStepsPerSecond: BenchSample
    /// One raw write+fdatasync loop.
    var rawSingleSyncsPerSecond: BenchSample
    /// N raw loops at once, one file each: all syncs together per second.
    var rawParallelSyncsPerSecond: BenchSample

    var poolRatio: Double { poolStepsPerSecond.median / singleStepsPerSecond.median }
    var threadRatio: Double { threadStepsPerSecond.median / singleStepsPerSecond.median }
    var ungroupedRatio: Double { ungroupedStepsPerSecond.median / singleStepsPerSecond.median }
    var unsyncedRatio: Double { unsyncedStepsPerSecond.median / singleStepsPerSecond.median }
    var rawRatio: Double { rawParallelSyncsPerSecond.median / rawSingleSyncsPerSecond.median }
}

enum ConcurrentBench {
    static func run(directory: String, executions: Int, steps: Int, runs: Int,
                    progress: (String) -> Void) async throws -> ConcurrentResult {
        let dir = directory + "/concurrent"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = dir + "/steps.lua"
        let singleSteps = max(steps, 1000)
        let singleScript = dir + "/single.lua"
        let empty = dir + "/empty.lua"
        try BenchScripts.write(BenchScripts.steps(steps), to: script)
        try BenchScripts.write(BenchScripts.steps(singleSteps), to: singleScript)
        try BenchScripts.write("", to: empty)

        // Record size, as in (a): journal growth per step.
        let probe = FlowHome(root: dir + "/probe")
        _ = try await DurableStepBench.runInProcess(home: probe, script: empty, id: "empty")
        _ = try await DurableStepBench.runInProcess(home: probe, script: singleScript, id: "steps")
        let bytesPerStep = Double(try BenchFiles.size(ofTree: probe.journalDirectory(of: "steps"))
            - BenchFiles.size(ofTree: probe.journalDirectory(of: "empty"))) / Double(singleSteps)
        try FileManager.default.removeItem(atPath: probe.root)
        let recordBytes = Int(bytesPerStep.rounded())

        var single: [Double] = [], pool: [Double] = [], threads: [Double] = [], ungrouped: [Double] = []
        var unsynced: [Double] = []
        var rounds = 0
        var roundTime = Duration.zero
        var raw1: [Double] = [], rawN: [Double] = []
        for k in 1...runs {
            progress("run \(k) of \(runs)")
            let home = FlowHome(root: dir + "/home-\(k)")
            let measures: [() async throws -> Void] = [
                { single.append(try await DurableStepBench.runInProcess(home: home, script: singleScript, id: "single")) },
                {
                    let before = GroupCommitStatistics.rounds
                    let timeBefore = GroupCommitStatistics.roundTime
                    pool.append(try await drive(home: home, script: script, prefix: "pool", executions: executions,
                                                ownThreads: false, groupCommit: true))
                    rounds += GroupCommitStatistics.rounds - before
                    roundTime += GroupCommitStatistics.roundTime - timeBefore
                },
                { ungrouped.append(try await drive(home: home, script: script, prefix: "ungrouped", executions: executions,
                                                   ownThreads: false, groupCommit: false)) },
                {
                    unsynced.append(try await drive(home: home, script: script, prefix: "unsynced", executions: executions,
                                                    ownThreads: false, groupCommit: false, sync: .none))
                    // Untimed: its journals' dirty pages would otherwise be written back during
                    // the measurements that follow and slow their syncs.
                    sync()
                },
                { threads.append(try await drive(home: home, script: script, prefix: "thread", executions: executions,
                                                 ownThreads: true, groupCommit: false)) },
                { raw1.append(try RawSyncLoop.run(path: dir + "/raw-single.bin", recordBytes: recordBytes, count: singleSteps)) },
                { rawN.append(try RawParallelSync.run(directory: dir, files: executions, recordBytes: recordBytes, count: steps)) },
            ]
            // Alternate the order so that drift in the disk's speed hits every side alike.
            for measure in (k % 2 == 1 ? measures : measures.reversed()) { try await measure() }
            try FileManager.default.removeItem(atPath: home.root)
        }
        let total = executions * steps
        let poolSample = BenchSample(pool)
        let threadSample = BenchSample(threads)
        let ungroupedSample = BenchSample(ungrouped)
        let unsyncedSample = BenchSample(unsynced)
        return ConcurrentResult(
            executions: executions, steps: steps, singleSteps: singleSteps, bytesPerStep: bytesPerStep,
            singleStepsPerSecond: BenchSample(single).rate(count: singleSteps),
            poolSeconds: poolSample, poolStepsPerSecond: poolSample.rate(count: total),
            ungroupedSeconds: ungroupedSample, ungroupedStepsPerSecond: ungroupedSample.rate(count: total),
            unsyncedSeconds: unsyncedSample, unsyncedStepsPerSecond: unsyncedSample.rate(count: total),
            roundsPerStep: Double(rounds) / Double(total * runs), largestRound: GroupCommitStatistics.largestRound,
            roundMilliseconds: rounds == 0 ? 0 : BenchClock.seconds(roundTime) * 1000 / Double(rounds),
            threadSeconds: threadSample, threadStepsPerSecond: threadSample.rate(count: total),
            rawSingleSyncsPerSecond: BenchSample(raw1).rate(count: singleSteps),
            rawParallelSyncsPerSecond: BenchSample(rawN).rate(count: total))
    }

    /// Seconds from the first start to the last end of `executions` runs of `script`, in-process.
    static func drive(home: FlowHome, script: String, prefix: String, executions: Int, ownThreads: Bool,
                      groupCommit: Bool, sync: SyncPolicy = .always) async throws -> Double
    {
        let executors = ownThreads ? (0..<executions).map { ThreadExecutor(name: "bench-\(prefix)-\($0)") } : []
        defer { executors.forEach { $0.shutdown() } }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Double.self) { group in
            for i in 0..<executions {
                let body: @Sendable () async throws -> Double = {
                    try await DurableStepBench.runInProcess(home: home, script: script, id: "\(prefix)-\(i)",
                                                           sync: sync, groupCommit: groupCommit)
                }
                if ownThreads {
                    group.addTask(executorPreference: executors[i], operation: body)
                } else {
                    group.addTask(operation: body)
                }
            }
            try await group.waitForAll()
        }
        // Part of the cost: each journal's own segment made durable, the shared log removed.
        if groupCommit { try SharedCommitLogs.finish() }
        return BenchClock.seconds(since: start)
    }
}
