import ArgumentParser
import FlowEngine
import FlowLua
import FlowWAL
import Logging

/// The composition root: the only place that knows every module and plugin.
enum Composition {
    static func registry() -> StepRegistry {
        StepRegistry.standard
    }

    static func options(home: FlowHome, drive: DriveOptions, allowChangedScript: Bool = false, printID: Bool = true) -> RunOptions {
        var o = RunOptions(home: home)
        o.syncPolicy = SyncPolicy(rawValue: drive.sync) ?? .always
        o.limits = LuaLimits(memoryBytes: drive.maxMemory << 20, instructions: drive.maxInstructions)
        o.allowChangedScript = allowChangedScript
        o.registry = registry()
        let printer = EventPrinter(quiet: drive.quiet, json: drive.jsonEvents, printID: printID)
        o.observer = { printer.print($0) }
        return o
    }

    /// Runs one request to its end and turns the outcome into an exit code.
    static func drive(_ request: RunRequest, options: RunOptions) async -> Int32 {
        StopSignal.install()
        let runner = ExecutionRunner(request, options: options)
        // The process exits right after: freeing a large replayed journal piece by piece would
        // only delay the exit (about 10% of a 100k-step resume).
        _ = Unmanaged.passRetained(runner)
        do {
            let outcome = try await runner.run()
            if case .alreadyFinished(let status) = outcome {
                Console.info("flow: execution \(runner.id) already finished: \(status.rawValue)")
            }
            if case .interrupted = outcome {
                Console.info("flow: interrupted; the execution is resumable: flow resume \(runner.id)")
            }
            if case .succeeded(let value) = outcome, !value.isNil {
                Console.out(JSONText.render(value))
            }
            return Exit.code(for: outcome)
        } catch let e as RunError {
            Console.error(e.message)
            return Exit.code(for: e)
        } catch {
            Console.error("\(error)")
            return Exit.internalError
        }
    }
}
