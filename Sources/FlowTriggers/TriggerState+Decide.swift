import FlowEvents

/// The decision for one event, from the state alone. The order of the checks is the contract
/// (docs/TRIGGERS.md): no match; the task's version; the key; the service's revision; a
/// rollout of the service running (the policy); else start.
extension TriggerState {
    /// What the watcher knows of an event before deciding: whether the pattern matched, its
    /// facts, and its key (or why it has none).
    public struct Input: Sendable {
        public var matched: Bool
        public var facts: EventFacts
        public var key: Result<String, KeyExpressionError>

        public init(matched: Bool, facts: EventFacts, key: Result<String, KeyExpressionError>) {
            self.matched = matched
            self.facts = facts
            self.key = key
        }

        /// Reads an event with a key expression.
        public init(event: JSONValue, matched: Bool, keyExpression: KeyExpression) {
            self.matched = matched
            facts = EventFacts(event: event)
            key = Result { () throws(KeyExpressionError) in try keyExpression.key(of: event) }
        }
    }

    public func decide(_ input: Input, trigger: String, policy: TriggerPolicy) -> Decision {
        guard input.matched else { return Decision(.ignored, reason: "does not match the pattern") }
        let facts = input.facts
        if let task = facts.task, let version = facts.version, let seen = versions[task] {
            let keyText = try? input.key.get()
            if version == seen {
                return Decision(.duplicate, key: keyText, reason: "version \(version) of task \(Self.tail(task)) was seen already")
            }
            if version < seen {
                return Decision(.stale, key: keyText, reason: "version \(version) of task \(Self.tail(task)) is older than version \(seen), seen already")
            }
        }
        let key: String
        switch input.key {
        case .success(let k): key = k
        case .failure(let e): return Decision(.ignored, reason: "no key: \(e.message)")
        }
        if let earlier = keys[key] {
            let what = earlier == Self.rejectedMarker ? "was rejected" : "already started \(earlier)"
            return Decision(.duplicate, key: key, reason: "key \(what)")
        }
        let id = ExecutionIDs.derive(trigger: trigger, key: key)
        guard let serviceID = facts.service else { return Decision(.start, key: key, execution: id, reason: "new key") }
        let service = services[serviceID] ?? Service()
        let name = facts.serviceName ?? serviceID
        if let family = facts.family, let revision = facts.revision, let newest = service.newest[family], revision < newest {
            return Decision(.stale, key: key, reason: "revision \(family):\(revision) is older than \(family):\(newest), already started for \(name)")
        }
        // A waiting execution counts as running: it starts the moment the running one ends.
        guard let busy = service.running ?? service.next else {
            return Decision(.start, key: key, execution: id, reason: "new revision of \(name)")
        }
        let revision = facts.family.map { f in facts.revision.map { "\(f):\($0)" } ?? f } ?? "key"
        switch policy {
        case .reject:
            return Decision(.rejected, key: key, reason: "\(revision) arrived while \(busy) rolls out \(name) (policy reject)")
        case .queue:
            return Decision(.queued, key: key, execution: id, reason: "starts when \(busy) finishes (policy queue)",
                            replaces: service.next)
        case .supersede:
            // The running one is cancelled once: a newer arrival only replaces the waiting one.
            let cancelRequested = service.next.map { executions[$0]?.phase == .pending(.superseding) } ?? false
            let cancels = cancelRequested ? nil : service.running
            return Decision(.superseding, key: key, execution: id,
                            reason: "cancels \(service.running ?? busy) and starts after it finishes (policy supersede)",
                            cancels: cancels, replaces: service.next)
        }
    }

    /// The part after the last "/": a task's id rather than its whole ARN.
    static func tail(_ arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? arn
    }
}
