import FlowLua
import FlowWAL

/// `flow show --json` and `flow serve`'s /timeline: an execution's timeline for machines. One object; every key always
/// present (null when empty), times ISO 8601 UTC, durations in milliseconds, keys sorted.
public enum ExecutionTimelineJSON {
    public indirect enum Node: Encodable, Sendable {
        case null
        case bool(Bool)
        case int(Int64)
        case string(String)
        case array([Node])
        case object([String: Node])
        /// A journaled value, in LuaValue's JSON mapping (integral floats tagged).
        case lua(LuaValue)
        case summary(ExecutionSummary)

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: Encoder) throws {
            switch self {
            case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
            case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
            case .int(let i): var c = encoder.singleValueContainer(); try c.encode(i)
            case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
            case .array(let items): var c = encoder.unkeyedContainer(); for i in items { try c.encode(i) }
            case .object(let fields):
                var c = encoder.container(keyedBy: Key.self)
                for (k, v) in fields { try c.encode(v, forKey: Key(stringValue: k)) }
            case .lua(let v): try v.encode(to: encoder)
            case .summary(let s): try s.encode(to: encoder)
            }
        }
    }

    public static func document(_ t: ExecutionTimeline, summary: ExecutionSummary) -> Node {
        .object([
            "execution": .summary(summary),
            "steps": .array(t.steps.map(step)),
            "operator_actions": .array(t.events.compactMap { e in
                guard case .operatorAction(let a) = e else { return nil }
                return .object(["action": .string(a.action.rawValue), "by": .string(a.by), "reason": string(a.reason),
                                "time": time(a.at), "seq": .int(Int64(a.seq)), "force": .bool(a.force)])
            }),
            "resumes": .array(t.events.compactMap { e in
                guard case .resumed(let r) = e else { return nil }
                return .object(["time": time(r.at), "host": .string(r.host), "pid": .int(Int64(r.pid)),
                                "script_changed": .bool(r.scriptChanged)])
            }),
            "weights": .array(t.weights.map { p in
                .object(["time": time(p.at), "seq": .int(Int64(p.seq)), "step": .string(p.step),
                         "source": .string(p.source.rawValue), "weights": weights(p.weights)])
            }),
            "outcome": outcome(t),
            "failback": t.failback.map { failback($0, t) } ?? .null,
        ])
    }

    static func step(_ s: ExecutionTimeline.Step) -> Node {
        .object([
            "seq": .int(Int64(s.seq)), "name": .string(s.name), "kind": .string(s.kind.rawValue),
            "phase": .string(s.phase.rawValue), "location": .string(s.location), "args": .lua(s.args),
            "status": .string(s.status.rawValue), "started_at": time(s.startedAt), "finished_at": time(s.finishedAt),
            "duration_ms": millis(s.duration), "result": s.result.map(Node.lua) ?? .null, "error": error(s.error),
            "retry_at": time(s.retryAt), "target_weights": s.targetWeights.map(weights) ?? .null,
            "attempts": .array(s.attempts.map { a in
                .object([
                    "attempt": .int(Int64(a.attempt)), "status": .string(a.status.rawValue), "started_at": time(a.startedAt),
                    "finished_at": time(a.finishedAt), "duration_ms": millis(a.duration), "deadline": time(a.deadline),
                    "result": a.value.map(Node.lua) ?? .null, "error": error(a.error), "retry_at": time(a.retryAt),
                    "backoff_ms": millis(a.backoff),
                ])
            }),
        ])
    }

    static func outcome(_ t: ExecutionTimeline) -> Node {
        let o = t.outcome
        return .object([
            "status": string(o.status?.rawValue), "finished_at": time(o.finishedAt),
            "duration_ms": millis(o.finishedAt.map { $0 - t.startedAt }), "result": o.value.map(Node.lua) ?? .null,
            "error": error(o.error), "stopped_at_seq": o.stoppedAtSeq.map { .int(Int64($0)) } ?? .null,
        ])
    }

    static func failback(_ f: ExecutionTimeline.Failback, _ t: ExecutionTimeline) -> Node {
        .object([
            "reason": .string(f.reason.rawValue), "error": error(f.error), "started_at": time(f.at),
            "at_seq": .int(Int64(f.atSeq)), "complete": .bool(f.complete),
            "final_weights": f.finalWeights.map(weights) ?? .null,
            "steps": .array(f.steps.compactMap(t.step).map { s in
                .object(["seq": .int(Int64(s.seq)), "name": .string(s.name), "status": .string(s.status.rawValue),
                         "attempts": .int(Int64(s.attempts.count)), "duration_ms": millis(s.duration),
                         "result": s.result.map(Node.lua) ?? .null, "error": error(s.error)])
            }),
        ])
    }

    static func time(_ m: Millis?) -> Node { m.map { .string(WallClock.iso8601($0)) } ?? .null }
    static func millis(_ m: Millis?) -> Node { m.map { .int($0) } ?? .null }
    static func string(_ s: String?) -> Node { s.map(Node.string) ?? .null }
    static func error(_ e: StepError?) -> Node {
        e.map { .object(["name": .string($0.name), "message": .string($0.message)]) } ?? .null
    }
    static func weights(_ w: [String: Int]) -> Node { .object(w.mapValues { .int(Int64($0)) }) }
}
