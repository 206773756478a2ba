import FlowEngine
import FlowLua
import Foundation
import Prometheus

/// GET /metrics: Prometheus text, computed at each scrape from the home (a fresh registry each
/// time, so nothing grows with the server's age). Finished executions never change: what their
/// journals say is kept (one small entry per execution still in the home); open ones are read
/// again at each scrape.
final class MetricsScrape: @unchecked Sendable {
    let lookup: ExecutionLookup
    private let probe: FsyncProbe
    private let lock = NSLock()
    private var finishedCache: [String: Derived] = [:]

    static let stepBuckets: [Duration] = [.milliseconds(10), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
                                          .seconds(15), .seconds(60), .seconds(300), .seconds(900), .seconds(3600)]
    static let fsyncBuckets: [Duration] = [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5),
                                           .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1)]
    static let gateStatuses = ["pass", "fail", "inconclusive"]

    /// What one execution adds to the metrics.
    struct Derived: Sendable {
        var status: String
        var stepDurations: [(kind: String, millis: Millis)]
        var gates: [String: Int]
    }

    init(lookup: ExecutionLookup) {
        self.lookup = lookup
        probe = FsyncProbe(home: lookup.home)
    }

    func render() -> String {
        let registry = PrometheusCollectorRegistry()
        let derived = scan()
        var byStatus = Dictionary(uniqueKeysWithValues: ExecutionLookup.statuses.map { ($0, 0) })
        var gates = Dictionary(uniqueKeysWithValues: Self.gateStatuses.map { ($0, 0) })
        for d in derived {
            byStatus[d.status, default: 0] += 1
            for (k, n) in d.gates { gates[k, default: 0] += n }
        }
        let executions = MetricNameDescriptor(
            namespace: "flow", metricName: "executions", unitName: "",
            helpText: "Executions in the home by status (read from their journals and locks at each scrape).")
        for (status, n) in byStatus.sorted(by: { $0.key < $1.key }) {
            registry.makeGauge(descriptor: executions, labels: [("status", status)]).set(to: Double(n))
        }
        let steps = MetricNameDescriptor(
            namespace: "flow", metricName: "step_duration", unitName: "seconds",
            helpText: "Duration of every finished step (all attempts and their backoff) of the executions in the home, by kind, from their journals.")
        var kinds = Set(["native", "step"])
        for d in derived { for s in d.stepDurations { kinds.insert(s.kind) } }
        var histograms: [String: DurationHistogram] = [:]
        for kind in kinds.sorted() {
            histograms[kind] = registry.makeDurationHistogram(descriptor: steps, labels: [("kind", kind)], buckets: Self.stepBuckets)
        }
        for d in derived {
            for s in d.stepDurations { histograms[s.kind]?.record(.milliseconds(s.millis)) }
        }
        let gateOutcomes = MetricNameDescriptor(
            namespace: "flow", metricName: "gate_outcomes", unitName: "total",
            helpText: "Gate verdicts (every attempt of a health or Lua gate) journaled by the executions in the home.")
        for (status, n) in gates.sorted(by: { $0.key < $1.key }) {
            registry.makeCounter(descriptor: gateOutcomes, labels: [("status", status)]).increment(by: Int64(n))
        }
        let fsync = MetricNameDescriptor(
            namespace: "flow", metricName: "wal_fsync", unitName: "seconds",
            helpText: "A probe, not the WAL's own fsyncs (made by other processes): the time of a 512-byte write plus fdatasync "
                + "of HOME/.probe, the syscalls a journal append makes, sampled 3 times per scrape.")
        let fsyncHistogram = registry.makeDurationHistogram(descriptor: fsync, labels: [], buckets: Self.fsyncBuckets)
        for s in probe.sample() { fsyncHistogram.recordNanoseconds(Int64(s * 1e9)) }
        return registry.emitToString()
    }

    private func scan() -> [Derived] {
        let ids = lookup.home.executionIDs()
        var out: [Derived] = []
        lock.withLock {
            let present = Set(ids)
            finishedCache = finishedCache.filter { present.contains($0.key) }
        }
        for id in ids {
            if let cached = lock.withLock({ finishedCache[id] }) {
                out.append(cached)
                continue
            }
            guard let summary = try? ExecutionSummary.load(home: lookup.home, id: id) else { continue }
            var d = Derived(status: summary.status, stepDurations: [], gates: [:])
            if let timeline = try? ExecutionTimeline.load(home: lookup.home, id: id) {
                for step in timeline.steps {
                    if let ms = step.duration, step.kind != .now, step.kind != .random {
                        d.stepDurations.append((step.kind.rawValue, ms))
                    }
                    guard step.kind == .native else { continue }
                    for a in step.attempts {
                        if let v = a.value?["status"].stringValue, Self.gateStatuses.contains(v),
                           case .int(_)? = a.value?["measurements"] {
                            d.gates[v, default: 0] += 1
                        }
                    }
                }
            }
            if ExecutionLookup.finished.contains(summary.status) {
                lock.withLock { finishedCache[id] = d }
            }
            out.append(d)
        }
        return out
    }
}
