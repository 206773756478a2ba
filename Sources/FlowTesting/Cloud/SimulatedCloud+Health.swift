import FlowEngine

/// The health gates (one measurement each, `{status, reason, value}`) and the raw reads Lua
/// gates use, worded and shaped as the health plugin's.
extension SimulatedCloud {
    func targetsGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        let found = try state.withLock { try $0.targetGroup(args["target_group"].stringValue ?? "") }
        return TargetVerdict.evaluate(found.group.targets, minHealthy: SimThreshold(args["min_healthy"]), group: found.group.name)
    }

    func targetHealth(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let found = try state.withLock { try $0.targetGroup(args["target_group"].stringValue ?? "") }
        return .record(["target_group": .string(found.arn), "name": .string(found.group.name),
                        "targets": .list(found.group.targets.map(TargetVerdict.value))])
    }

    func alarmsGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        let selection = AlarmVerdict.Selection(args)
        let alarms = state.withLock { $0.alarms(selection) }
        return AlarmVerdict.evaluate(alarms, selection: selection, insufficientData: args["insufficient_data"].stringValue ?? "inconclusive")
    }

    func alarmStates(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let alarms = state.withLock { $0.alarms(AlarmVerdict.Selection(args)) }
        return .record(["alarms": .list(alarms.map(\.value))])
    }

    func metricGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        let q = MetricQuery(args)
        let now = context.clock.now()
        let points = state.withLock { $0.datapoints(q, now: now) }
        return MetricVerdict.evaluate(metric: q.metric, stat: q.stat, window: q.window, threshold: args["threshold"].number ?? 0,
                                      comparison: args["comparison"].stringValue ?? ">=", minSamples: args["min_samples"].int ?? 1,
                                      datapoints: points)
    }

    func metricData(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let q = MetricQuery(args)
        let now = context.clock.now()
        let points = state.withLock { $0.datapoints(q, now: now) }
        return .record(["values": .list(points.map { .double($0.value) }), "timestamps": .list(points.map { .double($0.timestamp) })])
    }

    func httpGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        let url = args["url"].stringValue ?? ""
        let count = args["samples"].int ?? 5, interval = args["interval"].number ?? 0.2, timeout = args["request_timeout"].number ?? 2
        var samples: [HTTPVerdict.Sample] = []
        for i in 0..<count {
            if i > 0, interval > 0 { try await VirtualWaiting.sleep(context, seconds: interval) }
            switch try await get(url, timeout: timeout, context) {
            case .success(let r): samples.append(HTTPVerdict.Sample(status: r.status, latencyMs: r.latencyMs))
            case .failure(let f): samples.append(HTTPVerdict.Sample(error: f.description))
            }
        }
        let expect: [Int] = switch args["expect_status"] {
        case .array(let items): items.compactMap(\.int)
        case let single: single.int.map { [$0] } ?? [200]
        }
        return HTTPVerdict.evaluate(samples, url: url, expect: expect, minSuccess: SimThreshold(args["min_success"]),
                                    maxLatencyMs: args["max_latency_ms"].number, percentile: args["percentile"].number ?? 99)
    }

    /// What `http_get` keeps of a body.
    static let bodyLimit = 64 << 10

    func httpGet(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let url = args["url"].stringValue ?? ""
        switch try await get(url, timeout: args["timeout"].number ?? 2, context) {
        case .success(let r):
            let body = Array(r.body.utf8)
            return .record(["status": .int(r.status), "body": .fromBytes(Array(body.prefix(Self.bodyLimit))),
                            "latency_ms": .rounded(r.latencyMs), "truncated": body.count > Self.bodyLimit ? .bool(true) : nil])
        case .failure(let f):
            throw StepFailure("HTTPError", "GET \(url): \(f.description)")
        }
    }

    struct NoResponse: Error, CustomStringConvertible {
        var description: String
    }

    /// One GET taking its latency (or, unanswered, the whole timeout) of the run's clock.
    func get(_ url: String, timeout: Double, _ context: StepContext) async throws -> Result<SimEndpoint, NoResponse> {
        guard let endpoint = state.withLock({ $0.http[url] }) else {
            try await VirtualWaiting.sleep(context, seconds: timeout)
            return .failure(NoResponse(description: "connection refused"))
        }
        guard endpoint.latencyMs <= timeout * 1000 else {
            try await VirtualWaiting.sleep(context, seconds: timeout)
            return .failure(NoResponse(description: "no response within \(formatNumber(timeout)) s"))
        }
        try await VirtualWaiting.sleep(context, seconds: endpoint.latencyMs / 1000)
        return .success(endpoint)
    }

    func allGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        /// A nested gate's table, with the outer region where it names none (not that the simulation minds).
        func part(_ key: String) -> StepValue? {
            guard case .table(var t) = args[key] else { return nil }
            if t["region"] == nil, let region = args["region"].stringValue { t["region"] = .string(region) }
            return .table(t)
        }
        var parts: [(name: String, result: GateResult)] = []
        if let t = part("targets") { parts.append(("targets", try await targetsGate(t, context))) }
        if let a = part("alarms") { parts.append(("alarms", try await alarmsGate(a, context))) }
        if let m = part("metric") { parts.append(("metric", try await metricGate(m, context))) }
        if let h = part("http") { parts.append(("http", try await httpGate(h, context))) }
        return Self.combine(parts)
    }

    /// Any fail fails, else any inconclusive is inconclusive, else it passes (GateCombination).
    static func combine(_ parts: [(name: String, result: GateResult)]) -> GateResult {
        var value: [String: StepValue] = [:]
        for (name, r) in parts { value[name] = r.stepValue }
        let status: GateStatus = parts.contains { $0.result.status == .fail } ? .fail
            : parts.contains { $0.result.status == .inconclusive } ? .inconclusive : .pass
        let deciding = status == .pass ? parts : parts.filter { $0.result.status == status }
        return GateResult(status, deciding.map { "\($0.name): \($0.result.reason)" }.joined(separator: "; "), value: .table(value))
    }
}
