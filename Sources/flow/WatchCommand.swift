import ArgumentParser
import FlowEngine
import FlowTriggers

extension TriggerPolicy: ExpressibleByArgument {}

/// `flow watch`: start a workflow exactly once per idempotency key of the events that match a
/// pattern (docs/TRIGGERS.md).
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Start a workflow once per matching event's key (e.g. once per new revision of an ECS service).",
        discussion: """
            Every event from SOURCE that matches the EventBridge pattern is decided (start, duplicate, stale, \
            rejected, queued, superseding) and the decision is journaled under HOME/triggers/NAME before the \
            source may forget the event, so a crash loses no event and starts nothing twice. The workflow gets \
            the event as its parameter `event` (declare `event = {}` in flow.params) and runs in this process; \
            interrupted executions of the trigger are resumed when the watcher starts. \
            The same settings can live in a Lua trigger file: flow watch workflows/canary.trigger.lua. One watcher per trigger: \
            a second one waits as a standby until the first stops (or exits 3 with --no-wait). \
            SIGTERM or Ctrl-C stops taking events and interrupts the executions (resumable); exit 0. \
            With a file or stdin, the watcher exits 0 once the input has ended and its executions have finished.
            Exit codes: 0 stopped or done, 2 usage error, 3 the trigger is watched by another process (--no-wait), \
            4 the trigger's journal is damaged, 70 the source or the journal failed.

            Examples:
              flow watch workflows/canary.trigger.lua
              flow watch workflows/canary.trigger.lua --source - < ecs-events.jsonl
              flow watch --source "sqs:$ECS_EVENTS_QUEUE_URL" \\
                --pattern workflows/canary.trigger.json --run workflows/canary.lua \\
                --params canary-prod.json --policy queue
            """)

    @Argument(help: ArgumentHelp("A trigger declared in Lua (flow.trigger{...}, e.g. workflows/canary.trigger.lua); options given as well override its fields.",
                                 valueName: "trigger.lua"),
              completion: Completions.lua)
    var triggerFile: String?

    @Option(help: "Where events come from: sqs:QUEUE_URL, ecs:CLUSTER/SERVICE, http:127.0.0.1:PORT, file:PATH or - (stdin).")
    var source: String?

    @Option(help: ArgumentHelp("An EventBridge event pattern (JSON file); e.g. workflows/canary.trigger.json.",
                               valueName: "pattern.json"),
            completion: Completions.json)
    var pattern: String?

    @Option(name: .customLong("run"),
            help: ArgumentHelp("The workflow to start; it gets the event as its parameter `event`.", valueName: "workflow.lua"),
            completion: Completions.lua)
    var workflow: String?

    @Option(help: "Fields of the event that make its idempotency key, comma-separated paths (default: \(KeyExpression.defaultText)).")
    var key: String?

    @Option(name: .customLong("param"), help: "A parameter for every execution, NAME=VALUE. Repeatable.")
    var params: [String] = []

    @Option(name: .customLong("params"), help: "A JSON file of parameters for every execution (an object).",
            completion: Completions.json)
    var paramsFile: String?

    @Option(help: "A newer revision while a rollout of the service runs: reject (the default), queue, supersede.")
    var policy: TriggerPolicy?

    @Option(help: "The trigger's name, its folder under HOME/triggers (default: WORKFLOW-KIND-HASH of the workflow and source).")
    var name: String?

    @Flag(help: "Exit 3 at once if another watcher has this trigger, instead of waiting to take over.")
    var noWait = false

    @OptionGroup var home: HomeOptions
    @OptionGroup var drive: DriveOptions

    func validate() throws {
        if triggerFile == nil {
            let missing = [("--source", source), ("--pattern", pattern), ("--run", workflow)].filter { $0.1 == nil }.map(\.0)
            if !missing.isEmpty {
                throw ValidationError("missing \(missing.joined(separator: ", ")): give them, or a trigger file (flow watch TRIGGER.lua)")
            }
        }
        if let key {
            do { _ = try KeyExpression(key) } catch { throw ValidationError(error.message) }
        }
        if let name {
            do { try TriggerLayout.validate(name: name) } catch { throw ValidationError(error.message) }
        }
    }

    func run() async throws {
        let settings: WatchSettings
        do {
            settings = try WatchSettings(self)
        } catch let e as RunError {
            throw fail(e)
        }
        let code = await WatchRun.run(settings)
        if code != 0 { throw ExitCode(code) }
    }
}
