import ArgumentParser
import FlowAWS
import FlowECS
import FlowEngine
import FlowFailback
import FlowHealth
import FlowLua
import FlowNotify
import FlowPluginSupport
import FlowRoute53
import FlowWAL
import Foundation
import Logging
import Synchronization

/// The composition root: the only place that knows every module and plugin.
enum Composition {
    /// One per process: a connection pool and a credentials chain shared by every AWS step.
    /// Made on first use, so commands that never run a step never start an HTTP client.
    nonisolated(unsafe) private static var aws: AWSStepEnvironment?
    /// The outputs of every drive this process made, finished (flushed) before it exits.
    private static let outputs = OutputRegistry()
    /// `--events -`: stdout holds only JSON event lines, so the result is not printed apart.
    private static let eventsOnStdout = Atomic(false)

    static func awsEnvironment() -> AWSStepEnvironment {
        if let aws { return aws }
        let made = AWSStepEnvironment()
        aws = made
        return made
    }

    /// The native plugins, then the Lua gates (which may call every read-only function).
    static func registry(workflowPath: String?, pluginDirs: [String], notifyURLs: [String] = []) -> StepRegistry {
        let aws = awsEnvironment()
        var registry = StepRegistry.standard
        registry.register(Route53Plugin(aws: aws))
        registry.register(ECSPlugin(aws: aws))
        registry.register(HealthPlugin(aws: aws))
        registry.register(FailbackPlugin(aws: aws))
        registry.register(NotifyPlugin(notifier: NotifySink.notifier, defaultURLs: notifyURLs))
        var readOnly: [String: StepFunction] = [:]
        for (name, plugin) in registry.plugins {
            for f in plugin.functions where f.readOnly { readOnly["\(name).\(f.name)"] = f }
        }
        let searchPath = LuaGatePlugin.defaultSearchPath(
            workflowPath: workflowPath, extra: pluginDirs, environment: ProcessInfo.processInfo.environment)
        registry.register(LuaGatePlugin(searchPath: searchPath, functions: readOnly))
        return registry
    }

    /// `workflowPath` places the workflow-relative gate folders; for a resume it is read from
    /// its start record (read alone: a resume then folds the journal once, not twice).
    /// `terminal`: what prints the events instead of the live view or plain lines (a watcher's
    /// per-execution log); `--events` and `--notify` get the events either way.
    static func options(home: FlowHome, drive: DriveOptions, allowChangedScript: Bool = false, printID: Bool = true,
                        workflowPath: String? = nil, resuming id: String? = nil,
                        terminal: (any EventSink)? = nil) -> RunOptions {
        var o = RunOptions(home: home)
        o.syncPolicy = SyncPolicy(rawValue: drive.sync) ?? .always
        o.groupCommit = drive.groupCommit
        o.limits = LuaLimits(memoryBytes: drive.maxMemory << 20, instructions: drive.maxInstructions)
        o.allowChangedScript = allowChangedScript
        // The start record may be in a dead process's shared log only (the runner reports errors).
        if id != nil, let report = try? SharedLogRecovery.recover(directory: home.sharedLogDirectory), report.framesWritten > 0 {
            Console.info("flow: after a crash, \(report.framesWritten) group commits were put back into their journals from \(report.generations) shared log(s)")
        }
        let workflow = workflowPath ?? id.flatMap { try? JournalReading.started(home: home, id: $0)?.workflow }
        o.registry = registry(workflowPath: workflow, pluginDirs: drive.pluginDirs, notifyURLs: drive.notifyURLs)
        if drive.eventsFile == "-" { eventsOnStdout.store(true, ordering: .relaxed) }
        o.settings = StepSettings(region: drive.region, profile: drive.profile)
        var logger = Logger(label: "flow")
        logger.logLevel = drive.debug ? .debug : .warning
        o.logger = logger
        let fanout = OutputSinks.make(drive: drive, printID: printID, home: home, terminal: terminal)
        outputs.add(fanout)
        o.observer = { fanout.handle($0) }
        return o
    }

    /// Runs one request to its end and turns the outcome into an exit code.
    /// `shutdown: false` when other drives in this process still use the AWS connections.
    static func drive(_ request: RunRequest, options: RunOptions, shutdown: Bool = true) async -> Int32 {
        StopSignal.install()
        // An id chosen by the caller may be that of an execution deleted by hand: the index's
        // entry for it must not stand for the new one.
        if case .start(_, let id?, _) = request { ExecutionIndex.invalidateCreation(home: options.home, id: id) }
        let runner = ExecutionRunner(request, options: options)
        // A lone run or resume exits right after: freeing a large replayed journal piece by piece
        // would only delay the exit (about 10% of a 100k-step resume). A watcher lives on and
        // starts many executions, so there each runner is freed when it ends.
        if shutdown { _ = Unmanaged.passRetained(runner) }
        let code: Int32
        do {
            let outcome = try await runner.run()
            if case .alreadyFinished(let status) = outcome {
                Console.info("flow: execution \(runner.id) already finished: \(status.rawValue)")
            }
            if case .interrupted = outcome {
                Console.info("flow: interrupted; the execution is resumable: flow resume \(runner.id)\(HomeHint.suffix(for: options.home))")
            }
            if case .succeeded(let value) = outcome, !value.isNil, !eventsOnStdout.load(ordering: .relaxed) {
                Console.out(JSONText.render(value))
            }
            code = Exit.code(for: outcome)
        } catch let e as RunError {
            LiveView.releaseTerminal()  // the live view stops drawing before the error is printed
            Console.error(e.message)
            code = Exit.code(for: e)
        } catch {
            LiveView.releaseTerminal()
            Console.error("\(error)")
            code = Exit.internalError
        }
        if shutdown {
            finishSharedLogs()
            await finishOutputs()
            await shutdownAWS()
        }
        return code
    }

    /// With group commit, the journals' own segments are made durable and the shared log removed;
    /// on failure it stays for the next open of a journal to recover, which loses nothing.
    static func finishSharedLogs() {
        do {
            try SharedCommitLogs.finish()
        } catch {
            Console.error("flow: warning: group commit's shared log stays for recovery at the next resume: \(error)")
        }
    }

    /// Flushes every output (webhooks queued, the terminal restored); bounded by each sink.
    static func finishOutputs() async {
        for fanout in outputs.takeAll() { await fanout.finish() }
    }

    static func shutdownAWS() async {
        await aws?.shutdown()
    }
}

/// The fanouts made so far; options() may be called from several tasks (a watcher's executions).
final class OutputRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var fanouts: [EventFanout] = []

    func add(_ f: EventFanout) {
        lock.lock()
        fanouts.append(f)
        lock.unlock()
    }

    func takeAll() -> [EventFanout] {
        lock.lock()
        defer { lock.unlock() }
        let all = fanouts
        fanouts = []
        return all
    }
}
