import FlowEngine
import FlowHealth
import FlowLua
import Testing
@testable import FlowTesting

/// FlowTesting may not import the health plugin, so the simulated gates word their verdicts
/// with a copy of its evaluation logic. These tests hold the copy to the original: the same
/// inputs give equal `GateResult`s (status, reason and value), over every combination tried.
@Suite struct SimulatedCloudVerdictTests {
    static let targetStates = ["healthy", "unhealthy", "initial", "draining", "unused", "unavailable", "unhealthy.draining"]

    /// Every sequence of up to `length` elements of `items`.
    static func sequences<T>(_ items: [T], upTo length: Int) -> [[T]] {
        var all: [[T]] = [[]]
        var layer: [[T]] = [[]]
        for _ in 0..<length {
            layer = layer.flatMap { prefix in items.map { prefix + [$0] } }
            all += layer
        }
        return all
    }

    @Test func targets() {
        let thresholds: [(SimThreshold, FlowHealth.Threshold)] = [(.percent(100), .percent(100)), (.percent(50), .percent(50)),
                                                                   (.count(1), .count(1)), (.count(3), .count(3))]
        var compared = 0
        for states in Self.sequences(Self.targetStates, upTo: 3) {
            let sim = states.enumerated().map { SimTarget(id: "10.0.0.\($0)", state: $1) }
            let real = sim.map { t in
                TargetState(id: t.id, port: t.port, state: t.state, reason: TargetVerdict.reason(t.state)?.reason,
                            description: TargetVerdict.reason(t.state)?.description)
            }
            for (mine, theirs) in thresholds {
                let a = TargetVerdict.evaluate(sim, minHealthy: mine, group: "green")
                let b = TargetHealthEvaluation.evaluate(real, minHealthy: theirs, group: "green")
                #expect(a == b, "\(states) \(theirs)")
                #expect(mine.description == theirs.description)
                compared += 1
            }
        }
        #expect(compared == 400 * 4)
    }

    @Test func alarms() {
        let states = ["OK", "ALARM", "INSUFFICIENT_DATA"]
        let selections: [(AlarmVerdict.Selection, AlarmSelection)] = [
            (.names(["a", "b"]), .names(["a", "b"])), (.names(["a", "zz"]), .names(["a", "zz"])), (.prefix("x-"), .prefix("x-")),
        ]
        for picked in Self.sequences(states, upTo: 3) {
            let alarms = picked.enumerated().map { AlarmVerdict.Alarm(name: ["a", "b", "c"][$0], state: $1, reason: $0 == 1 ? nil : "why \($0)") }
            let real = alarms.map { AlarmState(name: $0.name, state: $0.state, reason: $0.reason) }
            for (mine, theirs) in selections {
                for policy in InsufficientDataPolicy.allCases {
                    let a = AlarmVerdict.evaluate(alarms, selection: mine, insufficientData: policy.rawValue)
                    let b = AlarmEvaluation.evaluate(real, selection: theirs, insufficientData: policy)
                    #expect(a == b, "\(picked) \(theirs) \(policy)")
                }
            }
        }
        // Nothing found under a prefix.
        #expect(AlarmVerdict.evaluate([], selection: .prefix("x-"), insufficientData: "inconclusive")
            == AlarmEvaluation.evaluate([], selection: .prefix("x-"), insufficientData: .inconclusive))
    }

    @Test func metrics() {
        let series: [[Double]] = [[], [0], [2, 3, 4], [1.5, 0.25, 7], [10, 10, 10, 10, 10]]
        for values in series {
            let points = values.enumerated().map { MetricVerdict.Datapoint(timestamp: 1_700_000_000 + Double($0 * 60), value: $1) }
            let real = points.map { MetricDatapoint(timestamp: $0.timestamp, value: $0.value) }
            for stat in ["Sum", "SampleCount", "Average", "Maximum", "Minimum", "p99"] {
                for comparison in Comparison.allCases {
                    for (threshold, minSamples) in [(5.0, 1), (9.0, 0), (0.3, 4)] {
                        let a = MetricVerdict.evaluate(metric: "Errors", stat: stat, window: 300, threshold: threshold,
                                                       comparison: comparison.rawValue, minSamples: minSamples, datapoints: points)
                        let b = MetricEvaluation.evaluate(metric: "Errors", stat: stat, window: 300, threshold: threshold,
                                                          comparison: comparison, minSamples: minSamples, datapoints: real)
                        #expect(a == b, "\(values) \(stat) \(comparison) \(threshold)")
                    }
                }
            }
        }
    }

    @Test func http() {
        let kinds: [HTTPVerdict.Sample] = [
            .init(status: 200, latencyMs: 12), .init(status: 200, latencyMs: 250.55), .init(status: 503, latencyMs: 3),
            .init(error: "connection refused"), .init(error: "no response within 2 s"),
        ]
        let thresholds: [(SimThreshold, FlowHealth.Threshold)] = [(.percent(100), .percent(100)), (.percent(60), .percent(60)), (.count(1), .count(1))]
        for samples in Self.sequences(kinds, upTo: 3) {
            let real = samples.map { s in s.status.map { HTTPSample(status: $0, latencyMs: s.latencyMs ?? 0) } ?? HTTPSample(error: s.error ?? "") }
            for (mine, theirs) in thresholds {
                for maxLatency in [nil, 100.0] {
                    for (expect, p) in [([200], 99.0), ([200, 503], 50.0)] {
                        let a = HTTPVerdict.evaluate(samples, url: "http://x/", expect: expect, minSuccess: mine, maxLatencyMs: maxLatency, percentile: p)
                        let b = HTTPEvaluation.evaluate(real, url: "http://x/", expect: expect, minSuccess: theirs, maxLatencyMs: maxLatency, percentile: p)
                        #expect(a == b, "\(samples) \(theirs) \(String(describing: maxLatency)) \(expect)")
                    }
                }
            }
        }
    }

    @Test func combination() {
        let results = [GateResult(.pass, "fine", value: ["n": 1]), GateResult(.fail, "bad"), GateResult(.inconclusive, "wait", value: ["n": 2])]
        for picked in Self.sequences(Array(results.indices), upTo: 3) {
            let parts = picked.enumerated().map { (name: ["targets", "alarms", "metric"][$0], result: results[$1]) }
            #expect(SimulatedCloud.combine(parts) == GateCombination.combine(parts), "\(picked)")
        }
    }

    /// The thresholds as the health plugin's decoder accepts them, read back by the simulation.
    @Test func thresholdsAreReadLikeThePlugin() {
        #expect(SimThreshold(.string("80%")) == .percent(80) && SimThreshold(.int(3)) == .count(3) && SimThreshold(.nil) == .percent(100))
        #expect(SimThreshold(.string("12.5%")).description == "12.5%")
    }
}
