import FlowAWS
import FlowEngine
import FlowEventSources
import FlowPluginSupport
import FlowTriggers
import FlowWAL
#if canImport(Glibc)
import Glibc
#endif

/// `flow watch` from start to exit: make the source, take the trigger (or wait as a standby),
/// open its journal, finish what the last watcher left, then feed the source's events to the
/// watcher until SIGTERM / Ctrl-C, the source's end, or a failure.
enum WatchRun {
    static func run(_ settings: WatchSettings) async -> Int32 {
        StopSignal.install()
        let source: any EventSource
        do {
            source = try makeSource(settings)
        } catch {
            Console.error("--source \(settings.sourceSpec): \(error)")
            return Exit.usage
        }
        let lock: FileLock
        do {
            switch try await TriggerLockWait.acquire(settings.layout, wait: settings.wait) {
            case .acquired(let l, let waited):
                lock = l
                if waited { Console.info("flow: watch: took over trigger \(settings.layout.name)") }
            case .refused(let message):
                Console.error(message)
                return Exit.locked
            case .stopped:
                return Exit.succeeded
            }
        } catch {
            Console.error("cannot lock trigger \(settings.layout.name): \(error)")
            return Exit.internalError
        }
        defer { lock.release() }
        let journal: TriggerJournal
        do {
            journal = try TriggerJournal.open(directory: settings.layout.journalDirectory, sync: settings.journalSync,
                                              compactAfter: settings.compactAfter)
        } catch {
            Console.error("the journal of trigger \(settings.layout.name) cannot be read: \(error)")
            return Exit.journal
        }
        if let repair = journal.repair { Console.info("flow: watch: warning: journal repaired: \(repair)") }
        let watcher = Watcher(settings: settings, journal: journal)
        var code = Exit.succeeded
        do {
            try await watcher.begin()
            code = await feed(source, to: watcher)
        } catch {
            Console.error("watch: cannot journal in \(settings.layout.journalDirectory): \(error)")
            code = Exit.internalError
        }
        // Whatever ended the watch, executions still driven here stop at their next safe point.
        let idle = await watcher.isIdle
        if !StopSignal.isRequested && !idle { StopSignal.request(SIGTERM) }
        await watcher.stop()
        await watcher.close()
        await Composition.finishOutputs()
        await Composition.shutdownAWS()
        return code
    }

    /// Runs the source until a stop, its end (then until the executions are done) or a failure.
    static func feed(_ source: any EventSource, to watcher: Watcher) async -> Int32 {
        let intake = Task {
            do {
                try await source.run { event in try await watcher.deliver(event) }
                await watcher.sourceEnded(.success(()))
            } catch {
                await watcher.sourceEnded(.failure(error))
            }
        }
        var code = Exit.succeeded
        while true {
            if StopSignal.isRequested { break }
            if let failure = await watcher.failure {
                code = failure.code
                break
            }
            if let result = await watcher.sourceResult {
                if case .failure(let error) = result {
                    Console.error("watch: the source \(source.description) stopped: \(error)")
                    code = exitCode(for: error)
                    break
                }
                // The input ended: finish what was started, then exit.
                if await watcher.isIdle { break }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        intake.cancel()
        // A source blocked in a read may not see the cancel at once; the watcher refuses its
        // events from now on, so it is not waited for long.
        for _ in 0..<40 where await watcher.sourceResult == nil {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return code
    }

    static func exitCode(for error: any Error) -> Int32 {
        guard let e = error as? EventSourceError else { return Exit.internalError }
        switch e.kind {
        case .badSpec, .badOption, .unreadable, .cannotListen, .badEvent: return Exit.usage
        }
    }

    static func makeSource(_ settings: WatchSettings) throws -> any EventSource {
        var options = EventSourceOptions()
        options.ready = { port in Console.info("flow: watch: listening on port \(port)") }
        options.logger.logLevel = settings.drive.debug ? .debug : .info
        let drive = settings.drive
        // The shared AWS environment, made here before anything runs concurrently.
        let aws = Composition.awsEnvironment()
        return try EventSources.parse(settings.sourceSpec, aws: { region in
            let context = StepContext(executionID: "watch", seq: 0, attempt: 1,
                                      settings: StepSettings(region: drive.region, profile: drive.profile))
            do {
                return try aws.client(region: region, context: context)
            } catch {
                throw WatchError("no AWS region for the source: pass --region or set AWS_REGION (\(error))")
            }
        }, options: options)
    }
}
