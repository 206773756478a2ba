import FlowEngine
import FlowHealth
import FlowLua

/// The health gates (one measurement each, `{status, reason, value}`) and the raw reads Lua
/// gates use, shaped as the health plugin's. The verdicts are FlowHealth's own evaluations,
/// given the simulated state as the real gates give them what AWS answered.
extension SimulatedCloud {
    func targetsGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        let found = try state.withLock { try $0.targetGroup(args["target_group"].stringValue ?? "") }
        let minHealthy = try args.decoded("min_healthy", as: Threshold.self) ?? .percent(100)
        return TargetHealthEvaluation.evaluate(found.group.targets.map(\.reported), minHealthy: minHealthy, group: found.group.name)
    }

    func targetHealth(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let found = try state.withLock { try $0.targetGroup(args["target_group"].stringValue ?? "") }
        return .record(["target_group": .string(found.arn), "name": .string(found.group.name),
                        "targets": .list(found.group.targets.map(\.reported.luaValue))])
    }

    func alarmsGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        let selection = AlarmSelection(args)
        let alarms = state.withLock { $0.alarms(selection) }
        let policy = try args.decoded("insufficient_data", as: InsufficientDataPolicy.self) ?? .inconclusive
        return AlarmEvaluation.evaluate(alarms, selection: selection, insufficientData: policy)
    }

    func alarmStates(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let alarms = state.withLock { $0.alarms(AlarmSelection(args)) }
        return .record(["alarms": .list(alarms.map(\.luaValue))])
    }

    func metricGate(_ args: StepValue, _ context: StepContext) async throws -> GateResult {
        let q = MetricQuery(args)
        let now = context.clock.now()
        let points = state.withLock { $0.datapoints(q, now: now) }
        let comparison = try args.decoded("comparison", as: Comparison.self) ?? .greaterOrEqual
        return MetricEvaluation.evaluate(metric: q.metric, stat: q.stat, window: q.window, threshold: args["threshold"].number ?? 0,
                                         comparison: comparison, minSamples: args["min_samples"].int ?? 1, datapoints: points)
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
        var samples: [HTTPSample] = []
        for i in 0..<count {
            if i > 0, interval > 0 { try await VirtualWaiting.sleep(context, seconds: interval) }
            switch try await get(url, timeout: timeout, context) {
            case .success(let r): samples.append(HTTPSample(status: r.status, latencyMs: r.latencyMs))
            case .failure(let f): samples.append(HTTPSample(error: f.description))
            }
        }
        let expect: [Int] = switch args["expect_status"] {
        case .array(let items): items.compactMap(\.int)
        case let single: single.int.map { [$0] } ?? [200]
        }
        let minSuccess = try args.decoded("min_success", as: Threshold.self) ?? .percent(100)
        return HTTPEvaluation.evaluate(samples, url: url, expect: expect, minSuccess: minSuccess,
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
        return GateCombination.combine(parts)
    }
}

extension StepValue {
    /// The argument `key` read with the real gate's own type (`Threshold`, `Comparison`, ...) by
    /// the decoder the real function used to validate it; nil when absent.
    func decoded<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
        let value = self[key]
        return value.isNil ? nil : try LuaValueDecoder().decode(type, from: value)
    }
}
