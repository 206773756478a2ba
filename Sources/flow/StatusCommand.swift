import ArgumentParser
import FlowEngine

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show an execution's status (reads the journal; runs no Lua).",
        discussion: """
            Examples:
              flow status canary-2026-11-26-1200-ab12
              flow status canary-2026-11-26-1200-ab12 --json | jq -r .status
            """)

    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String

    @OptionGroup var output: OutputOptions

    @OptionGroup var home: HomeOptions

    func run() async throws {
        let summary: ExecutionSummary
        do {
            summary = try ExecutionSummary.load(home: home.flowHome, id: id)
        } catch let e as RunError {
            throw fail(e)
        }
        if output.isJSON {
            Console.out(JSONText.render(summary, pretty: true))
            return
        }
        var lines = [
            "id:        \(summary.id)",
            "workflow:  \(summary.workflow)",
            "status:    \(summary.status)" + (summary.compensating ? " (running on_failure handlers)" : ""),
            "started:   \(summary.started_at)",
        ]
        if let f = summary.finished_at { lines.append("finished:  \(f)") }
        lines.append("steps:     \(summary.steps)")
        if let c = summary.current_step {
            lines.append("current:   [\(c.seq)] \(c.kind) \(c.name) attempt \(c.attempt) at \(c.location)"
                + (c.waiting_until.map { ", until \($0)" } ?? ""))
        }
        if let e = summary.error { lines.append("error:     \(e.name): \(e.message)") }
        if let d = summary.driver { lines.append("driven by: \(d)") }
        if let w = summary.journal_warning { lines.append("warning:   \(w)") }
        Console.out(lines.joined(separator: "\n"))
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the executions in the home.",
        discussion: """
            Examples:
              flow list --home /var/lib/flow
              flow list --json | jq -r '.[] | select(.status == "interrupted") | .id'
            """)

    @OptionGroup var output: OutputOptions

    @OptionGroup var home: HomeOptions

    func run() async throws {
        let problems: [String]
        if output.isJSON {
            let (rows, unread) = ExecutionSummary.list(home: home.flowHome)
            Console.out(JSONText.render(rows, pretty: true))
            problems = unread
        } else {
            let (rows, unread) = ExecutionSummary.listRows(home: home.flowHome)
            Console.out(Table.render(
                header: ["ID", "WORKFLOW", "STATUS", "STARTED", "STEPS"], rows: rows,
                columns: [{ $0.id }, { $0.workflow }, { $0.status }, { $0.started_at }, { String($0.steps) }]))
            problems = unread
        }
        for p in problems { Console.info("flow: warning: \(p)") }
    }
}
