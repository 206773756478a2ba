import FlowAWS
import FlowEngine
import FlowPluginSupport

extension Route53Steps {
    /// Sets absolute weights in one atomic batch, waits for INSYNC and reads them back.
    ///
    /// Safe to run again: when Route53 already holds the target nothing is sent. But a retry
    /// (attempt > 1) or an attempt that was in flight at a crash that finds the target in place
    /// re-sends the same UPSERTs: the earlier attempt's change may still be propagating (that is
    /// why it failed, e.g. ChangeNotInSync, or the process died waiting for it), and Route53
    /// applies a zone's changes in order, so waiting for the new one waits for that one too.
    /// Without it a resumed rollout would watch traffic that has not moved yet.
    ///
    /// Except when the attempt in flight had checkpointed its change (`SentChange`, recorded
    /// durably right after Route53 accepted the batch, before the wait): then the resumed attempt
    /// waits for that change and sends nothing, however many times the process dies during the
    /// wait. Only a change Route53 no longer knows (NoSuchChange) is sent again.
    public func setWeights(_ input: SetWeightsInput, context: StepContext) async throws -> SetWeightsResult {
        let r53 = try route53(region: input.region, context: context)
        let zoneID = try await ZoneResolver.resolve(input.zone, route53: r53)
        let before = try await WeightedRecord.read(r53, zoneID: zoneID, record: input.record, type: input.type)

        let unknown = input.weights.keys.filter { before.weights[$0] == nil }.sorted()
        if !unknown.isEmpty {
            throw StepFailure("UnknownSetIdentifier",
                              "\(before.name) \(before.type) in hosted zone \(zoneID) has no weighted set \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); its sets are \(before.weights.keys.sorted().joined(separator: ", "))",
                              retryable: false)
        }

        let wait = input.wait ?? true
        // The change the killed process had sent for this attempt, if it recorded one.
        let earlier = context.resumedCheckpoint(as: SentChange.self).flatMap {
            $0.matches(zoneID: zoneID, record: before, weights: input.weights) ? $0 : nil
        }
        let differs = input.weights.contains { before.weights[$0.key] != $0.value }
        // As the attempt that sent the batch saw them, when this one carries on after it.
        let previous = earlier?.previous ?? before.weights
        let changed = earlier?.changed ?? differs
        var change: Route53.ChangeInfo?
        var waited = Duration.zero
        var status = "INSYNC"
        if let earlier {
            change = try await earlier.lookUp(r53)
            if change == nil {
                context.logger.warning("Route53 does not know change \(earlier.changeID) any more: sending the batch again")
            }
        }
        if change == nil && (differs || (wait && (context.attempt > 1 || context.resumedInFlight))) {
            // Each set is copied as read (type, TTL, values or alias target) with only its weight
            // changed: an UPSERT replaces the whole set, so anything left out would be lost.
            let upserts: [(Route53.Action, Route53.RecordSet)] = before.sets.compactMap { set in
                guard let id = set.setIdentifier, let weight = input.weights[id] else { return nil }
                var updated = set
                updated.weight = weight
                return (.upsert, updated)
            }
            let sent = try await awsStep {
                try await r53.changeResourceRecordSets(zoneID: zoneID, changes: upserts, comment: Self.comment(input.weights, context))
            }
            // Durable before the wait: a process that dies waiting leaves the change to wait for.
            try await context.checkpoint(SentChange(changeID: sent.id, zoneID: zoneID, record: before.name, type: before.type,
                                                    weights: input.weights, previous: previous, changed: changed))
            change = sent
        }
        if let change {
            status = change.status
            if wait {
                let waiter = ChangeWaiter(timeout: .milliseconds(Int64((input.insyncTimeout ?? SetWeightsInput.defaultInsyncTimeout) * 1000)))
                let outcome = try await waiter.wait(for: change) { id in try await awsStep { try await r53.getChange(id: id) } }
                status = outcome.status
                waited = outcome.waited
            }
        }

        let after = change == nil ? before
            : try await WeightedRecord.read(r53, zoneID: zoneID, record: input.record, type: before.type)
        let now = after.weights
        let wrong = input.weights.filter { now[$0.key] != $0.value }.keys.sorted()
        if !wrong.isEmpty {
            let detail = wrong.map { "\($0) is \(now[$0].map(String.init) ?? "gone"), expected \(input.weights[$0] ?? 0)" }
            throw StepFailure("WeightsNotApplied",
                              "\(before.name) \(before.type) in hosted zone \(zoneID) after the change: \(detail.joined(separator: "; ")) (changed by someone else?)",
                              retryable: true)
        }
        return SetWeightsResult(zoneID: zoneID, record: after.name, type: after.type, changeID: change?.id, status: status,
                                weights: now, previous: previous, changed: changed, waitedMs: waited.milliseconds)
    }

    /// Route53 keeps the comment with the change: it says who made it. At most 256 characters.
    static func comment(_ weights: [String: Int], _ context: StepContext) -> String {
        let target = weights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return String("flow \(context.executionID) step \(context.seq): \(target)".prefix(256))
    }
}
