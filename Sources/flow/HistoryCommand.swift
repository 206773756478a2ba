import ArgumentParser
import FlowEngine
import FlowLua

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show every journal record of an execution (runs no Lua).",
        discussion: """
            Examples:
              flow history canary-2026-11-26-1200-ab12
              flow history canary-2026-11-26-1200-ab12 --json | jq -c '.[] | select(.error)'
            """)

    @Argument(help: "The execution id.", completion: Completions.executionID)
    var id: String

    @OptionGroup var output: OutputOptions  // json: an array, one object per record

    @OptionGroup var home: HomeOptions

    func run() async throws {
        let entries: [HistoryEntry]
        do {
            entries = try HistoryEntry.load(home: home.flowHome, id: id)
        } catch let e as RunError {
            throw fail(e)
        }
        if output.isJSON {
            Console.out(JSONText.render(entries, pretty: true))
            return
        }
        let rows = entries.map { e -> [String] in
            let outcome: String
            if let err = e.error {
                outcome = "\(err.name): \(err.message)" + (e.retry_at.map { " (retry at \($0))" } ?? "")
            } else if let r = e.result {
                outcome = String(ValueText.render(r).prefix(80))
            } else {
                outcome = e.detail ?? e.deadline.map { "until \($0)" } ?? ""
            }
            return [String(e.index), e.seq.map(String.init) ?? "", e.kind, e.name ?? "", e.attempt.map(String.init) ?? "",
                    e.time, e.location ?? "", outcome]
        }
        Console.out(Table.render(header: ["#", "SEQ", "KIND", "NAME", "ATTEMPT", "TIME", "AT", "RESULT"], rows: rows))
    }
}
