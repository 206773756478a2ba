import FlowEngine

/// `route53.weights`, `route53.set_weights`, and `failback.capture` / `failback.restore`, which
/// run the same code under their own names.
extension SimulatedCloud {
    func weights(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        try state.withLock { s in
            let zoneID = try s.zoneID(args["zone"].stringValue ?? "")
            let i = try s.recordIndex(zoneID: zoneID, record: args["record"].stringValue ?? "", type: args["type"].stringValue)
            return s.weightsResult(s.records[i])
        }
    }

    /// Absolute weights in one change, applied at once and INSYNC after `change_seconds`;
    /// nothing is sent when they are in place (unless a retry or a resumed attempt waits again).
    /// `restoring`: failback.restore, which always waits.
    func setWeights(_ args: StepValue, _ context: StepContext, restoring: Bool) async throws -> StepValue {
        var target: [String: Int] = [:]
        if case .table(let t) = args["weights"] { target = t.compactMapValues(\.int) }
        let wait = restoring || (args["wait"].bool ?? true)
        let insyncTimeout = restoring ? 300 : (args["insync_timeout"].number ?? 300)
        let now = context.clock.now()

        let sent = try state.withLock { s -> (before: SimRecord, change: (id: String, insyncAt: Millis)?, changed: Bool) in
            let zoneID = try s.zoneID(args["zone"].stringValue ?? "")
            let i = try s.recordIndex(zoneID: zoneID, record: args["record"].stringValue ?? "", type: args["type"].stringValue)
            let before = s.records[i]
            let unknown = target.keys.filter { before.weights[$0] == nil }.sorted()
            if !unknown.isEmpty {
                throw StepFailure("UnknownSetIdentifier",
                                  "\(before.name) \(before.type) in hosted zone \(zoneID) has no weighted set \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); its sets are \(before.weights.keys.sorted().joined(separator: ", "))",
                                  retryable: false)
            }
            let changed = target.contains { before.weights[$0.key] != $0.value }
            guard changed || (wait && (context.attempt > 1 || context.resumedInFlight)) else { return (before, nil, false) }
            let id = "C" + CloudNames.base36(UInt64(s.route53Changes.count + 1), width: 12)
            let insyncAt = now + Millis((s.changeSeconds * 1000).rounded())
            s.route53Changes[id] = insyncAt
            s.records[i].weights.merge(target) { _, new in new }
            return (before, (id, insyncAt), changed)
        }

        var status = "INSYNC"
        var waited: Millis = 0
        if let change = sent.change {
            status = now >= change.insyncAt ? "INSYNC" : "PENDING"
            if wait, status != "INSYNC" {
                waited = try await waitInSync(change.id, insyncAt: change.insyncAt, timeout: insyncTimeout, context)
                status = "INSYNC"
            }
        }
        let before = sent.before
        let after = sent.change == nil ? before : try state.withLock { s in
            s.records[try s.recordIndex(zoneID: before.zoneID, record: before.name, type: before.type)]
        }
        let wrong = target.filter { after.weights[$0.key] != $0.value }.keys.sorted()
        if !wrong.isEmpty {
            let detail = wrong.map { "\($0) is \(after.weights[$0].map(String.init) ?? "gone"), expected \(target[$0] ?? 0)" }
            throw StepFailure("WeightsNotApplied",
                              "\(before.name) \(before.type) in hosted zone \(before.zoneID) after the change: \(detail.joined(separator: "; ")) (changed by someone else?)",
                              retryable: true)
        }
        return .record([
            "zone_id": .string(before.zoneID), "record": .string(after.name), "type": .string(after.type),
            "change_id": .string(sent.change?.id), "status": .string(status), "weights": .weights(after.weights),
            "previous": .weights(before.weights), "changed": .bool(sent.changed), "waited_ms": .int(Int64(waited)),
        ])
    }

    /// Polls as the plugin's ChangeWaiter does (0.5 s, x1.5 up to 5 s, the last sleep cut to the
    /// deadline) until the change is INSYNC: the milliseconds waited, or ChangeNotInSync.
    private func waitInSync(_ id: String, insyncAt: Millis, timeout: Double, _ context: StepContext) async throws -> Millis {
        let start = context.clock.now()
        let limit = Millis((timeout * 1000).rounded())
        var delay = 0.5
        while context.clock.now() < insyncAt {
            let elapsed = context.clock.now() - start
            guard elapsed < limit else {
                throw StepFailure("ChangeNotInSync",
                                  "Route53 change \(id) was still PENDING after \(formatNumber(timeout)) s; it keeps propagating, and another attempt waits again",
                                  retryable: true)
            }
            try await VirtualWaiting.sleep(context, seconds: min(delay, Double(limit - elapsed) / 1000))
            delay = min(delay * 1.5, 5)
        }
        return context.clock.now() - start
    }
}
