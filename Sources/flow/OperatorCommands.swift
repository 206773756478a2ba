import ArgumentParser
import FlowEngine
import FlowLua

/// What every operator command takes.
struct OperatorOptions: ParsableArguments {
    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String

    @Option(help: "Why, for the journal (shown by flow status, flow show and notifications).")
    var reason: String?

    @OptionGroup var home: HomeOptions
    @OptionGroup var output: OutputOptions  // json: {id, action, requested, driver} on stdout
}

/// Posts an operator command to an execution's inbox: a live process takes it within a
/// second (and journals it with who and why); an interrupted execution takes it when resumed.
enum OperatorRequest {
    static func post(_ kind: InboxMessage.Kind, name: String? = nil, data: LuaValue? = nil, options: OperatorOptions,
                     verb: String) throws {
        let flowHome = options.home.flowHome
        let summary = try requireOpen(flowHome, options.id)
        let message = InboxMessage(kind: kind, name: name, data: data, from: requester(), reason: options.reason, at: WallClock.now())
        do {
            try Inbox(directory: flowHome.inboxDirectory(of: options.id)).post(message)
        } catch {
            throw fail(RunError(.internalError, "cannot deliver the \(verb) request: \(error)"))
        }
        if options.output.isJSON {
            var fields: [String: LuaValue] = ["id": .string(options.id), "action": .string(name ?? kind.rawValue), "requested": true]
            fields["driver"] = summary.driver.map { .string($0) }
            Console.out(JSONText.render(LuaValue.table(fields)))
        }
        if let driver = summary.driver {
            Console.info("flow: \(verb) requested; the process driving \(options.id) (\(driver)) takes it within a second")
        } else {
            Console.info("flow: \(verb) requested; no process drives \(options.id): it is applied when the execution resumes "
                + "(flow resume \(options.id)\(HomeHint.suffix(for: flowHome)))")
        }
    }
}

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Hold a rollout before its next step (flow status says paused once it is taken).",
        discussion: """
            The execution finishes the step in progress and waits before the next one; timers keep their deadlines \
            (a bake that ends while paused finds its next step held). Journaled with who and why. Lift it with \
            flow unpause (or flow promote); flow abort still fails back at once.

            Example:
              flow pause canary-2026-11-26-1200-ab12 --reason "checking a latency alert"
            """)

    @OptionGroup var options: OperatorOptions

    func run() async throws { try OperatorRequest.post(.pause, options: options, verb: "pause") }
}

struct UnpauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpause",
        abstract: "Lift a pause: the rollout goes on with its next step.",
        discussion: """
            Example:
              flow unpause canary-2026-11-26-1200-ab12 --reason "alert was a false positive"
            """)

    @OptionGroup var options: OperatorOptions

    func run() async throws { try OperatorRequest.post(.unpause, options: options, verb: "unpause") }
}

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Go on: end the current pause or inconclusive gate; with --full, go to 100 % now.",
        discussion: """
            Without --full: delivers the signal `promote` (what an inconclusive gate or an approval step waits for; \
            kept until one takes it) and lifts an operator pause. With --full: delivers `promote_full`, which \
            workflows/canary.lua checks before each step: it skips the remaining steps, shifts to 100 % and still \
            runs its final health check unless --force. Journaled with who and why.

            Examples:
              flow promote canary-2026-11-26-1200-ab12
              flow promote canary-2026-11-26-1200-ab12 --full --reason "traffic is clean"
            """)

    @OptionGroup var options: OperatorOptions

    @Flag(help: "Skip the remaining steps and go to 100 % (the workflow checks promote_full between steps).")
    var full = false

    @Flag(help: "With --full: skip the final check as well.")
    var force = false

    func validate() throws {
        if force && !full { throw ValidationError("--force only applies with --full") }
    }

    func run() async throws {
        let name = full ? OperatorAction.Action.promoteFull.rawValue : OperatorAction.Action.promote.rawValue
        try OperatorRequest.post(.promote, name: name, data: .table(["force": .bool(force)]), options: options,
                                 verb: full ? "full promotion" : "promotion")
    }
}

/// `flow retry ID`: Step Functions' redrive for a failed (or aborted) execution.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Start a failed or aborted execution again from its failed step (as Step Functions' redrive).",
        discussion: """
            The steps before the failed one are replayed from the journal (their effects are not repeated); \
            the failed step runs again (for a gate whose verdict failed the workflow, the gate measures again), \
            then the rest of the workflow. What its fail-back did is not undone first: a retried canary goes on \
            from the weights the fail-back restored, and its next weight change moves them again. The retry is \
            journaled with who and why, and this command drives the execution (as flow resume).

            Example:
              flow retry canary-2026-11-26-1200-ab12 --reason "the target group was fixed"
            """)

    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String

    @Option(help: "Why, for the journal.")
    var reason: String?

    @Flag(help: "Retry even though the workflow file changed since the execution started.")
    var allowChangedScript = false

    @OptionGroup var home: HomeOptions
    @OptionGroup var drive: DriveOptions

    func run() async throws {
        let flowHome = home.flowHome, id = self.id
        var options = Composition.options(home: flowHome, drive: drive, allowChangedScript: allowChangedScript, resuming: id)
        // The index's entry says "failed": it must be stale before the journal says otherwise, and
        // once more after, under the lock, should another retry have finished in between.
        ExecutionIndex.invalidateRedrive(home: flowHome, id: id)
        let observe = options.observer
        options.observer = { event in
            if case .operatorAction(action: "retry", _, _) = event { ExecutionIndex.invalidateRedrive(home: flowHome, id: id) }
            observe(event)
        }
        let code = await Composition.drive(.redrive(id: id, by: requester(), reason: reason), options: options)
        if code != 0 { throw ExitCode(code) }
    }
}
