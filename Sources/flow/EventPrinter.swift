import FlowEngine
import FlowLua
import Foundation

/// Plain progress lines on stderr, one per event (on a terminal, `LiveView` draws instead).
/// Gate lines stay short (reasons cut at `reasonLimit`); weights steps say the weights.
struct EventPrinter: EventSink {
    let quiet: Bool
    let json: Bool
    /// `flow run` and `flow resume` print the execution id first on stdout; `flow cancel` does not.
    var printID = true

    static let reasonLimit = 80

    func handle(_ event: ExecutionEvent) { print(event) }

    func print(_ event: ExecutionEvent) {
        if printID, case .started(let id, _, _) = event { Console.out(id) }
        if quiet { return }
        if json {
            Console.info(JSONText.event(event))
            return
        }
        switch event {
        case .started(let id, let workflow, let resumed):
            Console.info("flow: \(resumed ? "resuming" : "running") \(workflow) as \(id)")
        case .replayed(let n):
            Console.info("flow: replayed \(n) journaled step\(n == 1 ? "" : "s")")
        case .stepStarted(let seq, let kind, let name, let attempt, let args):
            // "native" is the journal's word; a person reads "run".
            let verb = kind == .native ? "run" : kind.rawValue
            let weights = Weights.of(step: name, args).map { " " + $0.text } ?? ""
            Console.info("  [\(seq)] \(verb) \(name)\(weights)" + (attempt > 1 ? " (attempt \(attempt))" : ""))
        case .stepSucceeded(let seq, _, let name, _, let ms, let value):
            let weights = Weights.of(step: name, value).map { " " + $0.text } ?? ""
            Console.info("  [\(seq)] ok \(name)\(weights) (\(ms) ms)")
        case .stepFailed(let seq, _, let name, let attempt, let error, let retryIn):
            let next = retryIn.map { "; retrying in \(String(format: "%.1f", Double($0) / 1000)) s" } ?? ""
            Console.info("  [\(seq)] FAILED \(name) attempt \(attempt): \(error)\(next)")
        case .waiting(let seq, let kind, let name, let until):
            let left = until.map { " (\(String(format: "%.1f", Double(max(0, $0 - WallClock.now())) / 1000)) s)" } ?? ""
            Console.info("  [\(seq)] waiting: \(kind.rawValue) \(name)\(left)")
        case .measured(let seq, let name, let status, let reason, let count, _):
            Console.info("  [\(seq)] \(name) #\(count): \(status): \(TextFit.shorten(reason, to: Self.reasonLimit))")
        case .gateFinished(let seq, let name, let status, let n, let ms, let value):
            let verdict = status == "pass" ? "passed" : status == "fail" ? "FAILED" : status
            let why = status == "pass" ? "" : value["reason"].stringValue.map { ": " + TextFit.shorten($0, to: Self.reasonLimit) } ?? ""
            Console.info("  [\(seq)] \(name) \(verdict) after \(n) measurement\(n == 1 ? "" : "s") (\(ms) ms)\(why)")
        case .log(let message):
            Console.info("  log: \(message)")
        case .warning(let message):
            Console.info("flow: warning: \(message)")
        case .operatorAction(let action, let by, let reason):
            Console.info("flow: \(action.replacingOccurrences(of: "_", with: " ")) by \(by)" + (reason.map { ": \($0)" } ?? ""))
        case .compensating(let reason, let error):
            // The error itself is printed once, at the end; here only what happens now.
            Console.info("flow: \(reason.rawValue) (\(error.name)); running on_failure handlers")
        case .finished(let outcome):
            switch outcome {
            case .succeeded: Console.info("flow: succeeded")
            case .failed(let e): Console.info("flow: failed: \(e)")
            case .cancelled(let e): Console.info("flow: cancelled: \(e)")
            case .aborted(let e): Console.info("flow: aborted: \(e)")
            case .interrupted: break  // Composition says how to resume, with the id
            case .alreadyFinished(let s): Console.info("flow: already \(s.rawValue)")
            }
        }
    }
}

/// JSON text for values and records on the command line.
enum JSONText {
    static func render<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `adding`: fields every line of a stream carries (`--events` adds the execution's `id`).
    static func event(_ event: ExecutionEvent, adding extra: [String: LuaValue] = [:]) -> String {
        var fields: [String: LuaValue] = extra
        fields["time"] = .string(WallClock.iso8601(WallClock.now()))
        switch event {
        case .started(let id, let workflow, let resumed):
            fields["event"] = "started"; fields["id"] = .string(id); fields["workflow"] = .string(workflow); fields["resumed"] = .bool(resumed)
        case .replayed(let n):
            fields["event"] = "replayed"; fields["steps"] = .int(Int64(n))
        case .stepStarted(let seq, let kind, let name, let attempt, let args):
            fields["event"] = "step_started"; fields["seq"] = .int(Int64(seq)); fields["kind"] = .string(kind.rawValue)
            fields["name"] = .string(name); fields["attempt"] = .int(Int64(attempt))
            if !args.isNil { fields["args"] = args }
        case .stepSucceeded(let seq, let kind, let name, let attempt, let ms, let value):
            fields["event"] = "step_succeeded"; fields["seq"] = .int(Int64(seq)); fields["kind"] = .string(kind.rawValue)
            fields["name"] = .string(name); fields["attempt"] = .int(Int64(attempt)); fields["millis"] = .int(ms)
            if !value.isNil { fields["result"] = value }
        case .stepFailed(let seq, let kind, let name, let attempt, let error, let retryIn):
            fields["event"] = "step_failed"; fields["seq"] = .int(Int64(seq)); fields["kind"] = .string(kind.rawValue)
            fields["name"] = .string(name); fields["attempt"] = .int(Int64(attempt)); fields["error"] = error.luaValue
            if let r = retryIn { fields["retry_in_millis"] = .int(r) }
        case .measured(let seq, let name, let status, let reason, let count, let value):
            fields["event"] = "measured"; fields["seq"] = .int(Int64(seq)); fields["name"] = .string(name)
            fields["status"] = .string(status); fields["reason"] = .string(reason); fields["count"] = .int(Int64(count))
            if !value.isNil { fields["value"] = value }
        case .gateFinished(let seq, let name, let status, let n, let ms, let value):
            fields["event"] = "gate_finished"; fields["seq"] = .int(Int64(seq)); fields["name"] = .string(name)
            fields["status"] = .string(status); fields["measurements"] = .int(Int64(n)); fields["millis"] = .int(ms)
            if !value.isNil { fields["result"] = value }
        case .waiting(let seq, let kind, let name, let until):
            fields["event"] = "waiting"; fields["seq"] = .int(Int64(seq)); fields["kind"] = .string(kind.rawValue); fields["name"] = .string(name)
            if let u = until { fields["until"] = .string(WallClock.iso8601(u)) }
        case .log(let m):
            fields["event"] = "log"; fields["message"] = .string(m)
        case .warning(let m):
            fields["event"] = "warning"; fields["message"] = .string(m)
        case .operatorAction(let action, let by, let reason):
            fields["event"] = "operator"; fields["action"] = .string(action); fields["by"] = .string(by)
            if let reason { fields["reason"] = .string(reason) }
        case .compensating(let reason, let error):
            fields["event"] = "compensating"; fields["reason"] = .string(reason.rawValue); fields["error"] = error.luaValue
        case .finished(let outcome):
            fields["event"] = "finished"
            switch outcome {
            case .succeeded(let v): fields["status"] = "succeeded"; if !v.isNil { fields["result"] = v }
            case .failed(let e): fields["status"] = "failed"; fields["error"] = e.luaValue
            case .cancelled(let e): fields["status"] = "cancelled"; fields["error"] = e.luaValue
            case .aborted(let e): fields["status"] = "aborted"; fields["error"] = e.luaValue
            case .interrupted: fields["status"] = "interrupted"
            case .alreadyFinished(let s): fields["status"] = .string(s.rawValue)
            }
        }
        return render(LuaValue.table(fields))
    }
}
