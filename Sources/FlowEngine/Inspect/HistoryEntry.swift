import FlowLua
import FlowWAL

/// One journal record as `flow history` shows it. The JSON form (`flow history ID --json`) is
/// complete: `HistoryImport` rebuilds the journal entries from it exactly (times are ISO 8601 with
/// the journal's millisecond precision), which is what `flow replay` checks a script against.
///
/// | kind | fields besides index, kind, time |
/// |---|---|
/// | `started` | `name` (workflow), `args` (raw params), `execution_id`, `script_sha256`, `random_seed`, `settings`, `host`, `pid` |
/// | `KIND.start` (intent) | `seq`, `attempt`, `name`, `digest` (hex), `location`, `args`, `deadline` |
/// | `completed` | `seq`, `attempt`, `result`, `consumed` (the inbox file of a signal) |
/// | `failed` | `seq`, `attempt`, `error`, `retry_at` |
/// | `compensating` | `name` (reason), `seq` (where the body stopped), `next_seq`, `error` |
/// | `finished` | `name` (status), `result`, `error` |
/// | `resumed` | `host`, `pid`, `script_changed` |
/// | `operator` | `name` (action), `seq`, `by`, `reason`, `force`, `inbox_file` |
/// | `redriven` | `seq` (from), `by`, `reason` |
/// | `checkpoint` | `seq`, `attempt`, `result` (the value the step recorded while in flight; not an outcome) |
public struct HistoryEntry: Sendable, Encodable {
    public var index: Int
    public var seq: Int?
    public var kind: String
    public var name: String?
    public var time: String
    public var attempt: Int?
    public var location: String?
    public var args: LuaValue?
    public var result: LuaValue?
    public var error: ExecutionSummary.ErrorInfo?
    public var retry_at: String?
    public var deadline: String?
    public var detail: String?
    // What a person skims is above; what rebuilds the record exactly is below.
    public var execution_id: String?
    public var script_sha256: String?
    public var random_seed: Int64?
    public var settings: [String: String]?
    public var host: String?
    public var pid: Int32?
    /// The step's argument digest (16 hex digits), which replay compares.
    public var digest: String?
    public var consumed: String?
    public var next_seq: Int?
    public var script_changed: Bool?
    public var by: String?
    public var reason: String?
    public var force: Bool?
    public var inbox_file: String?

    public static func load(home: FlowHome, id: String) throws -> [HistoryEntry] {
        try FlowHome.checkExisting(home: home, id: id)
        SharedLogCatchUp.once(home)
        let result: WALReadResult
        do {
            result = try WALReader.read(directory: home.journalDirectory(of: id))
        } catch let e as WALError {
            throw RunError(e.code == .notFound ? .usage : .journal, e.message)
        }
        try JournalReading.refuseLostOnlySegment(result.tornTail, hasRecords: !result.records.isEmpty)
        var out: [HistoryEntry] = []
        for (i, r) in result.records.enumerated() {
            let entry: JournalEntry
            do {
                entry = try JournalCodec.decode(type: r.type, payload: r.payload)
            } catch {
                throw RunError(.journal, "\(r.file) at offset \(r.position.offset): \(error)")
            }
            out.append(HistoryEntry(index: i + 1, entry))
        }
        return out
    }

    public init(index: Int, _ entry: JournalEntry) {
        self.index = index
        func err(_ e: StepError) -> ExecutionSummary.ErrorInfo { .init(name: e.name, message: e.message) }
        switch entry {
        case .started(let s):
            kind = "started"; name = s.workflow; time = WallClock.iso8601(s.at)
            args = .table(s.params); detail = "host \(s.host) pid \(s.pid) script sha256 \(s.scriptDigest.prefix(12))"
            execution_id = s.id; script_sha256 = s.scriptDigest; random_seed = s.randomSeed; settings = s.settings
            host = s.host; pid = s.pid
        case .intent(let e):
            seq = e.seq; kind = "\(e.kind.rawValue).start"; name = e.name; time = WallClock.iso8601(e.at)
            attempt = e.attempt; location = e.location; args = e.args.isNil ? nil : e.args
            deadline = e.deadline.map(WallClock.iso8601); digest = StepDigest.hex(e.digest)
        case .completed(let e):
            seq = e.seq; kind = "completed"; time = WallClock.iso8601(e.at); attempt = e.attempt; result = e.value
            detail = e.consumed.map { "signal taken from inbox \($0)" }; consumed = e.consumed
        case .failed(let e):
            seq = e.seq; kind = "failed"; time = WallClock.iso8601(e.at); attempt = e.attempt; error = err(e.error)
            retry_at = e.retryAt.map(WallClock.iso8601)
        case .compensating(let e):
            seq = e.atSeq; kind = "compensating"; name = e.reason.rawValue; time = WallClock.iso8601(e.at); error = err(e.error)
            next_seq = e.nextSeq
        case .finished(let e):
            kind = "finished"; name = e.status.rawValue; time = WallClock.iso8601(e.at)
            result = e.value.isNil ? nil : e.value; error = e.error.map(err)
        case .resumed(let e):
            kind = "resumed"; time = WallClock.iso8601(e.at)
            detail = "host \(e.host) pid \(e.pid)" + (e.scriptChanged ? " (script changed)" : "")
            host = e.host; pid = e.pid; script_changed = e.scriptChanged
        case .operatorAction(let e):
            seq = e.seq; kind = "operator"; name = e.action.rawValue; time = WallClock.iso8601(e.at)
            detail = "by \(e.by)" + (e.reason.map { ": \($0)" } ?? "") + (e.force ? " (forced)" : "")
            by = e.by; reason = e.reason; force = e.force; inbox_file = e.message
        case .redriven(let e):
            seq = e.fromSeq; kind = "redriven"; time = WallClock.iso8601(e.at)
            detail = "from step \(e.fromSeq) by \(e.by)" + (e.reason.map { ": \($0)" } ?? "")
            by = e.by; reason = e.reason
        case .stepCheckpoint(let e):
            seq = e.seq; kind = "checkpoint"; time = WallClock.iso8601(e.at); attempt = e.attempt; result = e.value
            detail = "recorded in flight; an attempt resumed in flight reads it back"
        }
    }
}
