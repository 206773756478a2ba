import FlowEngine
import FlowLua
import FlowTriggers
import FlowWAL

/// The watcher's lines on stderr: one per decision, naming the key, and one per change of an
/// execution it drives. With --json-events, one JSON object per line instead; with --quiet only
/// the decisions that start or refuse a rollout, and problems.
struct WatchLog: Sendable {
    let trigger: String
    let quiet: Bool
    let json: Bool

    func watching(_ s: WatchSettings, decided: Int, unfinished: Int) {
        emit(["event": "watching", "trigger": .string(trigger), "source": .string(s.sourceSpec),
              "workflow": .string(s.workflow), "policy": .string(s.policy.rawValue), "key": .string(s.key.text),
              "decided": .int(Int64(decided)), "unfinished": .int(Int64(unfinished))],
             text: "watching \(s.sourceSpec) for trigger \(trigger): runs \(s.workflow) (policy \(s.policy.rawValue), key \(s.key.text)); "
                + "\(decided) decision\(decided == 1 ? "" : "s") journaled, \(unfinished) execution\(unfinished == 1 ? "" : "s") to finish")
    }

    func decision(_ d: Decision, facts: EventFacts, origin: String) {
        let important: Set<Decision.Kind> = [.start, .queued, .superseding, .rejected]
        if quiet && !important.contains(d.kind) { return }
        var fields: [String: LuaValue] = ["event": "decision", "decision": .string(d.kind.rawValue),
                                          "reason": .string(d.reason), "origin": .string(origin)]
        fields["key"] = d.key.map { .string($0) }
        fields["execution"] = d.execution.map { .string($0) }
        fields["cancels"] = d.cancels.map { .string($0) }
        fields["replaces"] = d.replaces.map { .string($0) }
        fields["event_id"] = facts.eventID.map { .string($0) }
        fields["task"] = facts.task.map { .string($0) }
        fields["version"] = facts.version.map { .int($0) }
        fields["service"] = facts.serviceName.map { .string($0) }
        fields["revision"] = facts.revision.map { .int($0) }
        var text = d.kind.rawValue
        if let id = d.execution { text += " \(id)" }
        text += ": \(d.reason)"
        if let key = d.key { text += "; key \(key)" }
        text += " (event \(facts.eventID ?? "?") from \(origin))"
        emit(fields, text: text)
    }

    func compacted(_ c: WALCheckpoint, state: TriggerState) {
        emit(["event": "compacted", "segments_removed": .int(Int64(c.segmentsRemoved)), "bytes_removed": .int(Int64(c.bytesRemoved)),
              "tasks": .int(Int64(state.versions.count)), "keys": .int(Int64(state.keys.count))],
             text: "journal compacted into one checkpoint: \(c.segmentsRemoved) segment\(c.segmentsRemoved == 1 ? "" : "s") "
                + "(\(c.bytesRemoved) bytes) removed; it remembers \(state.versions.count) tasks and \(state.keys.count) keys")
    }

    func unreadable(origin: String, _ why: String) {
        emit(["event": "decision", "decision": "ignored", "reason": .string("not JSON: \(why)"), "origin": .string(origin)],
             text: "ignored: not JSON (\(why)) (from \(origin))", important: true)
    }

    func launching(_ id: String, execution: TriggerState.Execution) {
        emit(["event": "launching", "execution": .string(id), "key": .string(execution.key)],
             text: "starting \(id) with event \(execution.facts.eventID ?? "?")")
    }

    func ended(_ id: String, _ status: Ended.Status, message: String?) {
        var fields: [String: LuaValue] = ["event": "ended", "execution": .string(id), "status": .string(status.rawValue)]
        fields["message"] = message.map { .string($0) }
        emit(fields, text: "\(id) \(status.rawValue)" + (message.map { ": \($0)" } ?? ""), important: true)
    }

    func note(_ id: String, _ message: String) {
        emit(["event": "note", "execution": .string(id), "message": .string(message)], text: "\(id): \(message)")
    }

    func problem(_ id: String, _ message: String) {
        emit(["event": "problem", "execution": .string(id), "message": .string(message)], text: "\(id): \(message)",
             important: true)
    }

    func info(_ message: String) {
        emit(["event": "note", "message": .string(message)], text: message, important: true)
    }

    private func emit(_ fields: [String: LuaValue], text: String, important: Bool = false) {
        if quiet && !important && fields["event"] != "decision" { return }
        if json {
            var f = fields
            f["time"] = .string(WallClock.iso8601(WallClock.now()))
            f["trigger"] = .string(trigger)
            Console.info(JSONText.render(LuaValue.table(f)))
        } else {
            Console.info("flow: watch: " + text)
        }
    }
}

/// An execution's events in a watcher: the lines `flow run` prints, each naming the execution,
/// since several run at once in one process.
struct ExecutionLog: EventSink {
    let id: String
    let quiet: Bool
    let json: Bool

    func handle(_ event: ExecutionEvent) { print(event) }

    func print(_ event: ExecutionEvent) {
        if quiet { return }
        if json {
            // JSONText.event gives one object; the execution's id goes in front.
            let line = JSONText.event(event)
            Console.info(#"{"execution":"\#(id)","# + line.dropFirst())
            return
        }
        let text: String
        switch event {
        case .started(_, let workflow, let resumed): text = "\(resumed ? "resuming" : "running") \(workflow)"
        case .replayed(let n): text = "replayed \(n) journaled step\(n == 1 ? "" : "s")"
        case .stepStarted: return
        case .stepSucceeded(let seq, _, let name, _, let ms, _): text = "[\(seq)] ok \(name) (\(ms) ms)"
        case .stepFailed(let seq, _, let name, let attempt, let error, _): text = "[\(seq)] FAILED \(name) attempt \(attempt): \(error)"
        case .waiting(let seq, let kind, let name, _): text = "[\(seq)] waiting: \(kind.rawValue) \(name)"
        case .measured: return
        case .gateFinished(let seq, let name, let status, let n, _, _): text = "[\(seq)] \(name) \(status) after \(n) measurement\(n == 1 ? "" : "s")"
        case .log(let message): text = "log: \(message)"
        case .warning(let message): text = "warning: \(message)"
        case .operatorAction(let action, let by, let reason): text = "\(action) by \(by)" + (reason.map { ": \($0)" } ?? "")
        case .compensating(let reason, let error): text = "\(reason.rawValue) (\(error.name)); running on_failure handlers"
        case .finished(let outcome):
            switch outcome {
            case .succeeded: text = "succeeded"
            case .failed(let e): text = "failed: \(e)"
            case .cancelled(let e): text = "cancelled: \(e)"
            case .aborted(let e): text = "aborted: \(e)"
            case .interrupted: text = "interrupted (resumable)"
            case .alreadyFinished(let s): text = "already \(s.rawValue)"
            }
        }
        Console.info("flow: [\(id)] \(text)")
    }
}
