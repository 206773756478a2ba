/// The columns of `flow list`'s table.
public struct ExecutionListRow: Sendable {
    public var id: String
    public var workflow: String
    public var status: String
    public var started_at: String
    public var steps: Int

    init(_ s: ExecutionSummary) {
        self.init(id: s.id, workflow: s.workflow, status: s.status, started_at: s.started_at, steps: s.steps)
    }

    init(id: String, workflow: String, status: String, started_at: String, steps: Int) {
        self.id = id
        self.workflow = workflow
        self.status = status
        self.started_at = started_at
        self.steps = steps
    }
}

extension ExecutionSummary {
    /// Every execution in the home, in id order, as `flow list --json` and `flow serve` show them;
    /// those that cannot be read are reported apart, as "ID: why".
    ///
    /// The same rows as `load` for each id, but finished executions come from `HOME/index`
    /// (`ExecutionIndex`) when it has a standing entry for them: one file read instead of a
    /// journal and a lock each. The one difference: an indexed execution shows no `driver`,
    /// where `load` names the finishing process in the moments before it exits.
    public static func list(home: FlowHome) -> (rows: [ExecutionSummary], problems: [String]) {
        listing(home, indexed: { $0.summary(of: $1) }, read: { $0 })
    }

    /// `list`, only the table's columns: indexed rows decode four fields, not the whole summary.
    public static func listRows(home: FlowHome) -> (rows: [ExecutionListRow], problems: [String]) {
        listing(home, indexed: { $0.row(of: $1) }, read: ExecutionListRow.init)
    }

    private static func listing<Row>(
        _ home: FlowHome, indexed: (IndexSnapshot, String) -> Row?, read summarise: (ExecutionSummary) -> Row
    ) -> (rows: [Row], problems: [String]) {
        let ids = home.executionIDs()
        let index = ExecutionIndex.snapshot(home)
        var rows: [Row] = []
        rows.reserveCapacity(ids.count)
        var problems: [String] = []
        var healed: [IndexEntry] = []
        var standing = 0
        for id in ids {
            if let row = indexed(index, id) {
                rows.append(row)
                standing += 1
                continue
            }
            do {
                let (summary, state) = try read(home: home, id: id)
                rows.append(summarise(summary))
                if let entry = IndexEntry(id: id, state: state, summary: summary, boot: index.boot) { healed.append(entry) }
            } catch {
                problems.append("\(id): \(error)")
            }
        }
        ExecutionIndex.maintain(home, snapshot: index, present: ids, standing: standing, healed: healed)
        return (rows, problems)
    }
}
