import ArgumentParser
import FlowEngine
import FlowLua
import Foundation

/// Who is asking, for the journal: "user@host".
func requester() -> String {
    let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
    return "\(user)@\(WallClock.hostName)"
}

/// An execution that exists and has not finished, or the error to show.
func requireOpen(_ home: FlowHome, _ id: String) throws -> ExecutionSummary {
    let summary: ExecutionSummary
    do {
        summary = try ExecutionSummary.load(home: home, id: id)
    } catch let e as RunError {
        throw fail(e)
    }
    if ["succeeded", "failed", "cancelled", "aborted"].contains(summary.status) {
        throw fail(RunError(.usage, "execution '\(id)' already finished (\(summary.status))"))
    }
    return summary
}

struct SignalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signal",
        abstract: "Send a signal to an execution; a flow.signal(NAME) waiting for it returns the data. Kept until taken.",
        discussion: """
            Examples:
              flow signal approval-20261126-120000-cd34 approve --data '{"by":"alice"}'
              flow signal canary-2026-11-26-1200-ab12 promote
            """)

    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String

    @Argument(help: "The signal's name.")
    var name: String

    @Option(help: "JSON data handed to the workflow.")
    var data: String?

    @OptionGroup var home: HomeOptions
    @OptionGroup var output: OutputOptions  // json: {id, signal, sent} on stdout

    func run() async throws {
        let flowHome = home.flowHome
        _ = try requireOpen(flowHome, id)
        var value: LuaValue?
        if let data {
            do {
                value = try JSONDecoder().decode(LuaValue.self, from: Data(data.utf8))
            } catch {
                throw fail(RunError(.usage, "--data is not valid JSON: \(data)"))
            }
        }
        let message = InboxMessage(kind: .signal, name: name, data: value, from: requester(), at: WallClock.now())
        do {
            try Inbox(directory: flowHome.inboxDirectory(of: id)).post(message)
        } catch {
            throw fail(RunError(.internalError, "cannot deliver the signal: \(error)"))
        }
        Console.info("flow: signal '\(name)' sent to \(id)")
        if output.isJSON { Console.out(JSONText.render(["id": .string(id), "signal": .string(name), "sent": true] as LuaValue)) }
    }
}

/// What cancel and abort take.
struct CancelOptions: ParsableArguments {
    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String

    @Option(help: "Why, for the journal.")
    var reason: String?

    @OptionGroup var home: HomeOptions
    @OptionGroup var drive: DriveOptions
    @OptionGroup var output: OutputOptions
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an execution: it stops at its current step and runs its on_failure handlers.",
        discussion: """
            A live process sees the request within a second. With no process driving it, this command drives it through compensation itself.

            Example:
              flow cancel hello-20261126-120000-ef56 --reason "started with the wrong name"
            """)

    @OptionGroup var options: CancelOptions

    func run() async throws {
        try await CancelRequest.deliver(id: options.id, reason: options.reason, home: options.home.flowHome,
                                        drive: options.drive, verb: "cancel", json: options.output.isJSON)
    }
}

/// `flow abort ID`: what Argo Rollouts users type to stop a rollout and put traffic back. Like
/// cancel, the workflow stops at its current step and its fail-back runs; the status says
/// `aborted`, so nobody mistakes an operator's decision for a failure or a superseded run.
struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Abort a rollout now: it stops at its current step and fails back (its on_failure handlers run).",
        discussion: """
            Journaled with who (user@host) and why (--reason); the status becomes `aborted` (exit 6, as cancel). \
            A live process sees it within a second; with none driving the execution, this command drives the fail-back itself.

            Example:
              flow abort canary-2026-11-26-1200-ab12 --reason "p99 latency up in eu-west-1"
            """)

    @OptionGroup var options: CancelOptions

    func run() async throws {
        try await CancelRequest.deliver(id: options.id, reason: options.reason, home: options.home.flowHome,
                                        drive: options.drive, verb: "abort", kind: .abort, json: options.output.isJSON)
    }
}

enum CancelRequest {
    static func deliver(id: String, reason: String?, home flowHome: FlowHome, drive: DriveOptions, verb: String,
                        kind: InboxMessage.Kind = .cancel, json: Bool = false) async throws {
        let summary = try requireOpen(flowHome, id)
        let message = InboxMessage(kind: kind, from: requester(), reason: reason, at: WallClock.now())
        do {
            try Inbox(directory: flowHome.inboxDirectory(of: id)).post(message)
        } catch {
            throw fail(RunError(.internalError, "cannot deliver the \(verb) request: \(error)"))
        }
        // --output json: {id, request, handled_by: driver|this_process|another_process, status} on stdout.
        func report(_ handledBy: String) {
            guard json else { return }
            let status = (try? ExecutionSummary.load(home: flowHome, id: id))?.status ?? "unknown"
            Console.out(JSONText.render(["id": .string(id), "request": .string(verb), "handled_by": .string(handledBy),
                                         "status": .string(status)] as LuaValue))
        }
        if let driver = summary.driver {
            Console.info("flow: \(verb) requested; the process driving \(id) (\(driver)) will stop it and run its on_failure handlers")
            report("driver")
            return
        }
        let code = await Composition.drive(.resume(id: id), options: Composition.options(home: flowHome, drive: drive, printID: false, resuming: id))
        if code == Exit.locked {
            Console.info("flow: \(verb) requested; another process took \(id) and will handle it")
            report("another_process")
            return
        }
        report("this_process")
        if code != Exit.cancelled && code != 0 { throw ExitCode(code) }
    }
}
