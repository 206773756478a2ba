import FlowEngine
import FlowLua
import Testing
@testable import FlowHealth

/// The gates' verdicts from measured values, without a network: every branch of the evaluation.
@Suite struct HealthGateTests {
    static func t(_ id: String, _ state: String, _ reason: String? = nil) -> TargetState {
        TargetState(id: id, port: 80, state: state, reason: reason)
    }

    // MARK: targets

    @Test func allHealthyPasses() {
        let r = TargetHealthEvaluation.evaluate([Self.t("10.0.0.5", "healthy"), Self.t("10.0.1.5", "healthy"), Self.t("10.0.2.5", "healthy")],
                                                minHealthy: .percent(100), group: "green-tg")
        #expect(r.status == .pass)
        #expect(r.reason == "3 of 3 targets healthy (need 100%)")
        #expect(r.value?["healthy"] == 3 && r.value?["total"] == 3 && r.value?["unhealthy"] == 0)
    }

    @Test func everyTargetCountsNotTheFirst() {
        // The seed read the first target only: here the unhealthy one is last.
        let targets = [Self.t("10.0.0.5", "healthy"), Self.t("10.0.1.5", "unhealthy", "Target.ResponseCodeMismatch")]
        let r = TargetHealthEvaluation.evaluate(targets, minHealthy: .percent(100), group: "green-tg")
        #expect(r.status == .fail)
        #expect(r.reason == "1 of 2 targets healthy (need 100%): 10.0.1.5:80 unhealthy (Target.ResponseCodeMismatch)")
        guard case .array(let listed)? = r.value?["targets"] else { Issue.record("no targets list"); return }
        #expect(listed.count == 2 && listed[1]["state"] == "unhealthy" && listed[1]["reason"] == "Target.ResponseCodeMismatch")
    }

    @Test(arguments: [("100%", GateStatus.fail), ("66%", .pass), ("67%", .fail), ("2", .pass), ("3", .fail)])
    func oneUnhealthyOfThree(threshold: String, expected: GateStatus) throws {
        let min: Threshold = threshold.hasSuffix("%") ? .percent(Double(threshold.dropLast())!) : .count(Int(threshold)!)
        let targets = [Self.t("a", "healthy"), Self.t("b", "healthy"), Self.t("c", "unhealthy", "Target.Timeout")]
        let r = TargetHealthEvaluation.evaluate(targets, minHealthy: min, group: "tg")
        #expect(r.status == expected)
        #expect(r.reason.hasPrefix("2 of 3 targets healthy (need \(threshold))"))
        // Passing or not, the unhealthy target is named.
        #expect(r.reason.contains("c:80 unhealthy (Target.Timeout)"))
    }

    @Test func registeringTargetsAreInconclusiveUntilTheyCannotHelp() {
        let waiting = TargetHealthEvaluation.evaluate([Self.t("a", "healthy"), Self.t("b", "initial", "Elb.RegistrationInProgress")],
                                                      minHealthy: .percent(100), group: "tg")
        #expect(waiting.status == .inconclusive)
        #expect(waiting.reason == "1 of 2 targets healthy (need 100%); waiting for 1 registering: b:80 initial (Elb.RegistrationInProgress)")
        #expect(waiting.value?["initial"] == 1)
        // Even if the registering target turns healthy, 2 of 3 is short of 100%: no reason to wait.
        let hopeless = TargetHealthEvaluation.evaluate([Self.t("a", "healthy"), Self.t("b", "initial"), Self.t("c", "unhealthy")],
                                                       minHealthy: .percent(100), group: "tg")
        #expect(hopeless.status == .fail)
    }

    @Test func drainingTargetsAreReportedButNotCounted() {
        let r = TargetHealthEvaluation.evaluate([Self.t("a", "healthy"), Self.t("b", "healthy"), Self.t("c", "draining", "Target.DeregistrationInProgress")],
                                                minHealthy: .percent(100), group: "tg")
        #expect(r.status == .pass)
        #expect(r.reason == "2 of 2 targets healthy (need 100%); 1 draining not counted")
        #expect(r.value?["draining"] == 1 && r.value?["total"] == 3)
        let allLeaving = TargetHealthEvaluation.evaluate([Self.t("a", "draining")], minHealthy: .percent(100), group: "tg")
        #expect(allLeaving.status == .fail && allLeaving.reason == "all 1 targets of tg are draining")
    }

    @Test func unusedTargetsFail() {
        let r = TargetHealthEvaluation.evaluate([Self.t("a", "healthy"), Self.t("b", "unused", "Target.NotInUse")],
                                                minHealthy: .count(1), group: "green-tg")
        #expect(r.status == .fail)
        #expect(r.reason == "1 of 2 targets unused, so green-tg is not serving them traffic: b:80 unused (Target.NotInUse)")
        #expect(r.value?["unused"] == 1)
    }

    @Test func emptyGroupFails() {
        let r = TargetHealthEvaluation.evaluate([], minHealthy: .count(0), group: "green-tg")
        #expect(r.status == .fail && r.reason == "no targets registered in TG green-tg")
        #expect(r.value?["total"] == 0)
    }

    @Test func unavailableAndUnknownStatesCountAgainst() {
        let r = TargetHealthEvaluation.evaluate([Self.t("a", "healthy"), Self.t("b", "unavailable"), Self.t("c", "someday-new")],
                                                minHealthy: .count(2), group: "tg")
        #expect(r.status == .fail)
        #expect(r.value?["unavailable"] == 2)
        #expect(r.reason == "1 of 3 targets healthy (need 2): b:80 unavailable, c:80 someday-new")
    }

    @Test func countAboveTheGroupSizeCannotPass() {
        let r = TargetHealthEvaluation.evaluate([Self.t("a", "healthy"), Self.t("b", "healthy")], minHealthy: .count(3), group: "tg")
        #expect(r.status == .fail && r.reason.hasPrefix("2 of 2 targets healthy (need 3)"))
    }

    @Test func longListsAreCut() {
        let targets = (1...8).map { Self.t("10.0.0.\($0)", "unhealthy") }
        let r = TargetHealthEvaluation.evaluate(targets, minHealthy: .percent(100), group: "tg")
        #expect(r.reason.hasSuffix("10.0.0.5:80 unhealthy and 3 more"))
    }

    @Test func thresholdArithmetic() {
        #expect(Threshold.percent(100).required(of: 3) == 3)
        #expect(Threshold.percent(66).required(of: 3) == 2)
        #expect(Threshold.percent(50).required(of: 3) == 2)
        #expect(Threshold.percent(50).required(of: 4) == 2)
        #expect(Threshold.percent(0).required(of: 5) == 0)
        #expect(Threshold.percent(100).required(of: 0) == 0)
        #expect(Threshold.count(2).required(of: 10) == 2)
        #expect(Threshold.percent(66.5).description == "66.5%" && Threshold.percent(80).description == "80%")
    }

    @Test func thresholdsFromScripts() throws {
        struct In: Decodable { var min: Threshold }
        let decode = { (v: LuaValue) in try LuaValueDecoder().decode(In.self, from: ["min": v]).min }
        #expect(try decode("80%") == .percent(80))
        #expect(try decode(3) == .count(3))
        for bad: LuaValue in ["80", "150%", "x%", -1, 1.5, true] {
            #expect(throws: LuaArgumentError.self) { try decode(bad) }
        }
        let e = #expect(throws: LuaArgumentError.self) { try decode("150%") }
        #expect(e?.description == "bad argument 'min' (percentage must be between 0% and 100%, got '150%')")
    }

    // MARK: alarms

    static func a(_ name: String, _ state: String) -> AlarmState { AlarmState(name: name, state: state, reason: "r") }

    @Test func alarmsAllOKPass() {
        let r = AlarmEvaluation.evaluate([Self.a("x", "OK"), Self.a("y", "OK")], selection: .prefix("web"), insufficientData: .inconclusive)
        #expect(r.status == .pass && r.reason == "all 2 alarms OK")
        guard case .array(let listed)? = r.value?["alarms"] else { Issue.record("no alarms"); return }
        #expect(listed.map { $0["name"] } == ["x", "y"])
    }

    @Test func anyAlarmFailsNamingIt() {
        let r = AlarmEvaluation.evaluate([Self.a("web-5xx", "ALARM"), Self.a("web-latency", "OK")],
                                         selection: .names(["web-5xx", "web-latency"]), insufficientData: .pass)
        #expect(r.status == .fail && r.reason == "1 of 2 alarms in ALARM: web-5xx (r)")
    }

    @Test func aMisspelledAlarmNeverPasses() {
        let named = AlarmEvaluation.evaluate([Self.a("web-5xx", "OK")], selection: .names(["web-5xx", "web-5xxx"]), insufficientData: .pass)
        #expect(named.status == .fail && named.reason == "no alarms named web-5xxx")
        let prefixed = AlarmEvaluation.evaluate([], selection: .prefix("wbe-"), insufficientData: .pass)
        #expect(prefixed.status == .fail && prefixed.reason == "no alarms named wbe-*")
    }

    @Test(arguments: [(InsufficientDataPolicy.inconclusive, GateStatus.inconclusive), (.fail, .fail), (.pass, .pass)])
    func insufficientDataFollowsThePolicy(policy: InsufficientDataPolicy, expected: GateStatus) {
        let r = AlarmEvaluation.evaluate([Self.a("x", "OK"), Self.a("new", "INSUFFICIENT_DATA")], selection: .prefix(""),
                                         insufficientData: policy)
        #expect(r.status == expected)
        #expect(r.reason.contains("1 of 2 alarms have INSUFFICIENT_DATA: new (r)"))
        // ALARM wins over any policy.
        let firing = AlarmEvaluation.evaluate([Self.a("x", "ALARM"), Self.a("new", "INSUFFICIENT_DATA")], selection: .prefix(""),
                                              insufficientData: policy)
        #expect(firing.status == .fail)
    }

    @Test func anUnknownAlarmStateIsNotAPass() {
        let r = AlarmEvaluation.evaluate([Self.a("x", "")], selection: .names(["x"]), insufficientData: .pass)
        #expect(r.status == .inconclusive)
    }

    // MARK: metric

    static func points(_ values: [Double]) -> [MetricDatapoint] {
        values.enumerated().map { MetricDatapoint(timestamp: Double(1_700_000_000 + 60 * $0), value: $1) }
    }

    @Test func tooFewSamplesIsInconclusiveNeverAPass() {
        let r = MetricEvaluation.evaluate(metric: "HTTPCode_Target_5XX_Count", stat: "Sum", window: 300, threshold: 5, comparison: .less,
                                          minSamples: 3, datapoints: Self.points([0, 0]))
        #expect(r.status == .inconclusive)
        #expect(r.reason == "only 2 datapoints of HTTPCode_Target_5XX_Count Sum in the last 300 s (need 3)")
        #expect(r.value?["samples"] == 2)
    }

    @Test func noDataWithMinSamplesZero() {
        // Sums of nothing are zero: an ALB publishes no 5xx datapoint when there were no 5xx.
        let sum = MetricEvaluation.evaluate(metric: "Errors", stat: "Sum", window: 300, threshold: 5, comparison: .less,
                                            minSamples: 0, datapoints: [])
        #expect(sum.status == .pass && sum.reason == "Errors Sum = 0 over 300 s (must be < 5)")
        let average = MetricEvaluation.evaluate(metric: "Latency", stat: "Average", window: 300, threshold: 5, comparison: .less,
                                                minSamples: 0, datapoints: [])
        #expect(average.status == .inconclusive)
    }

    @Test func reasonSaysThePlainRule() {
        let r = MetricEvaluation.evaluate(metric: "HTTPCode_Target_5XX_Count", stat: "Sum", window: 300, threshold: 5, comparison: .less,
                                          minSamples: 1, datapoints: Self.points([4, 8]))
        #expect(r.status == .fail)
        #expect(r.reason == "HTTPCode_Target_5XX_Count Sum = 12 over 300 s, must be < 5")
        #expect(r.value?["value"] == 12.0 && r.value?["samples"] == 2)
        guard case .array(let points)? = r.value?["datapoints"] else { Issue.record("no datapoints"); return }
        #expect(points.count == 2 && points[1]["value"] == 8.0)
    }

    @Test(arguments: [
        (Comparison.less, 4.0, GateStatus.pass), (.less, 5, .fail), (.less, 6, .fail),
        (.lessOrEqual, 4, .pass), (.lessOrEqual, 5, .pass), (.lessOrEqual, 6, .fail),
        (.greater, 4, .fail), (.greater, 5, .fail), (.greater, 6, .pass),
        (.greaterOrEqual, 4, .fail), (.greaterOrEqual, 5, .pass), (.greaterOrEqual, 6, .pass),
    ])
    func eachComparisonIsTheHealthyCondition(comparison: Comparison, value: Double, expected: GateStatus) {
        let r = MetricEvaluation.evaluate(metric: "M", stat: "Maximum", window: 60, threshold: 5, comparison: comparison,
                                          minSamples: 1, datapoints: Self.points([value]))
        #expect(r.status == expected, "\(value) \(comparison.rawValue) 5")
        #expect(r.reason.contains("must be \(comparison.rawValue) 5"))
    }

    @Test func aggregationPerStatistic() {
        let v = [1.0, 4, 2]
        #expect(MetricEvaluation.aggregate(v, stat: "Sum", comparison: .less) == 7)
        #expect(MetricEvaluation.aggregate(v, stat: "SampleCount", comparison: .less) == 7)
        #expect(MetricEvaluation.aggregate(v, stat: "Average", comparison: .less) == 7.0 / 3)
        #expect(MetricEvaluation.aggregate(v, stat: "Maximum", comparison: .greater) == 4)
        #expect(MetricEvaluation.aggregate(v, stat: "Minimum", comparison: .less) == 1)
        // Percentiles of periods do not combine: the period worst for the rule decides.
        #expect(MetricEvaluation.aggregate(v, stat: "p99", comparison: .less) == 4)
        #expect(MetricEvaluation.aggregate(v, stat: "p99", comparison: .greaterOrEqual) == 1)
        #expect(MetricEvaluation.aggregate([], stat: "Maximum", comparison: .less) == nil)
        #expect(MetricEvaluation.format(12) == "12" && MetricEvaluation.format(0.12345) == "0.123")
    }

    // MARK: all

    @Test func combinedGatesFailOnAnyFailureAndWaitOnAnyDoubt() {
        let pass = GateResult(.pass, "fine", value: 1), doubt = GateResult(.inconclusive, "unsure"), bad = GateResult(.fail, "broken")
        let allPass = GateCombination.combine([("targets", pass), ("alarms", pass)])
        #expect(allPass.status == .pass && allPass.reason == "targets: fine; alarms: fine")
        #expect(allPass.value?["targets"] == ["status": "pass", "reason": "fine", "value": 1])
        let waiting = GateCombination.combine([("targets", pass), ("http", doubt)])
        #expect(waiting.status == .inconclusive && waiting.reason == "http: unsure")
        let failing = GateCombination.combine([("targets", doubt), ("alarms", bad), ("http", pass)])
        #expect(failing.status == .fail && failing.reason == "alarms: broken")
        #expect(failing.value?["http"]["status"] == "pass" && failing.value?["targets"]["status"] == "inconclusive")
    }

    // MARK: http

    @Test func percentileIsNearestRank() {
        #expect(HTTPEvaluation.percentile([4, 1, 3, 2], 50) == 2)
        #expect(HTTPEvaluation.percentile([4, 1, 3, 2], 99) == 4)
        #expect(HTTPEvaluation.percentile([4, 1, 3, 2], 25) == 1)
        #expect(HTTPEvaluation.percentile([4, 1, 3, 2], 100) == 4)
        #expect(HTTPEvaluation.percentile([7], 1) == 7)
        #expect(HTTPEvaluation.percentile([], 50) == nil)
        let hundred = (1...100).map(Double.init)
        #expect(HTTPEvaluation.percentile(hundred, 99) == 99 && HTTPEvaluation.percentile(hundred, 99.5) == 100)
        #expect(HTTPEvaluation.percentile(hundred, 90) == 90)
        #expect(HTTPEvaluation.percentileKey(99) == "p99_ms" && HTTPEvaluation.percentileKey(99.9) == "p99.9_ms")
    }

    static func ok(_ ms: Double, _ status: Int = 200) -> HTTPSample { HTTPSample(status: status, latencyMs: ms) }

    @Test func allExpectedPasses() {
        let r = HTTPEvaluation.evaluate([Self.ok(10), Self.ok(20), Self.ok(30)], url: "http://x/health", expect: [200],
                                        minSuccess: .percent(100), maxLatencyMs: 50, percentile: 99)
        #expect(r.status == .pass)
        #expect(r.reason == "3 of 3 GET http://x/health returned 200 (need 100%); p99 latency 30 ms (max 50 ms)")
        #expect(r.value?["success"] == 3 && r.value?["p50_ms"] == 20.0 && r.value?["p99_ms"] == 30.0)
        #expect(r.value?["statuses"] == ["200": 3])
    }

    @Test func unexpectedStatusesAndErrorsFail() {
        let samples = [Self.ok(10), Self.ok(10, 500), Self.ok(10, 500), HTTPSample(error: "connection refused")]
        let r = HTTPEvaluation.evaluate(samples, url: "http://x/", expect: [200], minSuccess: .percent(50), maxLatencyMs: nil, percentile: 99)
        #expect(r.status == .fail)
        #expect(r.reason == "1 of 4 GET http://x/ returned 200 (need 50%): 2 × 500, 1 × connection refused")
        #expect(r.value?["statuses"] == ["200": 1, "500": 2, "error": 1])
        let enough = HTTPEvaluation.evaluate(samples, url: "http://x/", expect: [200, 500], minSuccess: .count(3), maxLatencyMs: nil,
                                             percentile: 99)
        #expect(enough.status == .pass && enough.reason.hasPrefix("3 of 4 GET http://x/ returned 200 or 500 (need 3)"))
    }

    @Test func slowResponsesFailOnThePercentile() {
        let samples = [Self.ok(10), Self.ok(12), Self.ok(11), Self.ok(250)]
        let p99 = HTTPEvaluation.evaluate(samples, url: "http://x/", expect: [200], minSuccess: .percent(100), maxLatencyMs: 100,
                                          percentile: 99)
        #expect(p99.status == .fail && p99.reason.hasSuffix("; p99 latency 250 ms, must be <= 100 ms"))
        let p50 = HTTPEvaluation.evaluate(samples, url: "http://x/", expect: [200], minSuccess: .percent(100), maxLatencyMs: 100,
                                          percentile: 50)
        #expect(p50.status == .pass && p50.value?["p50_ms"] == 11.0)
    }

    @Test func noResponsesToTimeIsInconclusive() {
        let r = HTTPEvaluation.evaluate([HTTPSample(error: "connection refused")], url: "http://x/", expect: [200],
                                        minSuccess: .percent(0), maxLatencyMs: 100, percentile: 99)
        #expect(r.status == .inconclusive && r.reason.hasSuffix("no responses to measure p99 latency"))
    }
}
