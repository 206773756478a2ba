/// A trigger's journal, folded: what every later decision depends on. Pure: records in, state
/// out; `decide` (TriggerState+Decide.swift) reads it and never changes it.
public struct TriggerState: Sendable, Codable, Equatable {
    /// An execution this trigger started or will start.
    public struct Execution: Sendable, Equatable, Codable {
        public enum Phase: Sendable, Equatable, Codable {
            /// Waiting for the running rollout of its service (queued or superseding).
            case pending(Decision.Kind)
            case running
            /// Replaced while waiting by a newer revision: it never starts.
            case dropped(by: String)
            case ended(Ended.Status)
        }

        public var id: String
        public var key: String
        public var facts: EventFacts
        /// The event's JSON text: the workflow's `event` parameter.
        public var body: String
        public var phase: Phase
    }

    /// Per service: the rollout that runs and the one that waits. At most one of each.
    public struct Service: Sendable, Equatable, Codable {
        public var running: String?
        public var next: String?
        /// The newest revision started or waiting, per task-definition family.
        public var newest: [String: Int64] = [:]
    }

    /// The highest `detail.version` seen per task.
    public private(set) var versions: [String: Int64] = [:]
    /// When each task was last decided (ms since the epoch): a checkpoint forgets tasks not
    /// seen for a long time (`compacted`).
    public private(set) var seen: [String: Int64] = [:]
    /// What each key became: the execution it started or waits as, or "rejected".
    public private(set) var keys: [String: String] = [:]
    public private(set) var executions: [String: Execution] = [:]
    /// Execution ids in the order they were decided.
    public private(set) var order: [String] = []
    public private(set) var services: [String: Service] = [:]
    /// How many decisions of each kind were recorded.
    public private(set) var counts: [Decision.Kind: Int] = [:]
    public private(set) var lastWatching: Watching?

    static let rejectedMarker = "rejected"

    public init() {}

    public mutating func apply(_ record: TriggerRecord) throws {
        switch record {
        case .snapshot(let whole):
            self = whole
        case .watching(let w):
            lastWatching = w
        case .decided(let d):
            try apply(d)
        case .promoted(let p):
            guard var e = executions[p.execution], case .pending = e.phase else {
                throw TriggerJournalError("promoted \(p.execution), which is not waiting")
            }
            e.phase = .running
            executions[p.execution] = e
            if let s = e.facts.service {
                services[s, default: Service()].running = p.execution
                if services[s]?.next == p.execution { services[s]?.next = nil }
            }
        case .ended(let end):
            guard var e = executions[end.execution] else {
                throw TriggerJournalError("ended \(end.execution), which this trigger never started")
            }
            e.phase = .ended(end.status)
            executions[end.execution] = e
            if let s = e.facts.service, services[s]?.running == end.execution { services[s]?.running = nil }
        }
    }

    mutating func apply(_ d: Decided) throws {
        counts[d.decision.kind, default: 0] += 1
        if let task = d.facts.task {
            seen[task] = max(seen[task] ?? .min, d.at)
            if let v = d.facts.version, v > versions[task] ?? .min { versions[task] = v }
        }
        guard let key = d.decision.key else { return }
        switch d.decision.kind {
        case .start, .queued, .superseding:
            guard let id = d.decision.execution, let body = d.body else {
                throw TriggerJournalError("a \(d.decision.kind.rawValue) decision without its execution or event")
            }
            keys[key] = id
            let phase: Execution.Phase = d.decision.kind == .start ? .running : .pending(d.decision.kind)
            executions[id] = Execution(id: id, key: key, facts: d.facts, body: body, phase: phase)
            order.append(id)
            if let old = d.decision.replaces, var replaced = executions[old] {
                replaced.phase = .dropped(by: id)
                executions[old] = replaced
            }
            guard let s = d.facts.service else { return }
            var service = services[s, default: Service()]
            if d.decision.kind == .start { service.running = id } else { service.next = id }
            if let family = d.facts.family, let revision = d.facts.revision,
               revision > service.newest[family] ?? .min {
                service.newest[family] = revision
            }
            services[s] = service
        case .rejected:
            keys[key] = Self.rejectedMarker
        case .duplicate, .stale, .ignored:
            break
        }
    }

    // MARK: checkpoints

    /// The state a checkpoint keeps: the same decisions for every event that can still arrive,
    /// in less room. Tasks last seen before `now - retention` are forgotten: no queue keeps an
    /// event that long (SQS at most 14 days), and a new event of such a task is still judged by
    /// its key, which is never forgotten (a decided key stays decided). The events of finished
    /// executions are dropped: only a start or a resume needs them.
    public func compacted(now: Int64, retention: Int64) -> TriggerState {
        var c = self
        let horizon = now - retention
        for (task, at) in seen where at < horizon {
            c.seen[task] = nil
            c.versions[task] = nil
        }
        for (id, e) in executions {
            switch e.phase {
            case .ended, .dropped: c.executions[id]?.body = ""
            case .running, .pending: break
            }
        }
        return c
    }

    /// 14 days: SQS's longest retention.
    public static let defaultRetention: Int64 = 14 * 24 * 3600 * 1000

    // MARK: questions the watcher asks

    /// Executions that were running when the journal ends: to create (missing), resume
    /// (interrupted) or mark ended (finished but not recorded), in the order they were decided.
    public var unfinished: [Execution] {
        order.compactMap { executions[$0] }.filter { $0.phase == .running }
    }

    /// Waiting executions whose service no longer runs anything: to promote now.
    public var promotable: [Execution] {
        services.values.compactMap { s in
            guard s.running == nil, let next = s.next else { return nil }
            return executions[next]
        }.sorted { (order.firstIndex(of: $0.id) ?? 0) < (order.firstIndex(of: $1.id) ?? 0) }
    }

    /// Running executions that a waiting `superseding` decision cancels: (running, waiting).
    public var cancellations: [(running: String, waiting: String)] {
        services.values.compactMap { s in
            guard let running = s.running, let next = s.next, executions[next]?.phase == .pending(.superseding) else {
                return nil
            }
            return (running, next)
        }
    }
}
