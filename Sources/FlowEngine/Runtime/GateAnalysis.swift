import FlowLua

/// How a gate step measures, as Argo Rollouts' AnalysisRun users know it: one measurement now,
/// or one every `every` seconds for `for` seconds (or `count` measurements, whichever ends first). A failed measurement beyond `failure_limit`
/// ends the step at once (so fail-back starts within one interval of the observation); an
/// inconclusive one beyond `inconclusive_limit` ends it inconclusive; errors (an API down) are
/// tolerated up to `consecutive_errors` in a row. With `until = "pass"` the gate waits for a pass
/// instead (targets still registering), and what it last saw is the verdict when time runs out.
///
/// The journal holds one intent and one outcome per gate step however many measurements it
/// takes, so a gate polling every second for a week keeps a bounded log.
public struct GateAnalysis: Sendable, Equatable, Decodable {
    public var every: Double?
    public var window: Double?
    public var count: Int?
    public var failureLimit: Int
    public var inconclusiveLimit: Int
    public var consecutiveErrors: Int
    public var untilPass: Bool

    /// The keyword-table keys that belong to the analysis, not to the gate function.
    static let keys: Set<String> = ["every", "for", "count", "failure_limit", "inconclusive_limit", "consecutive_errors", "until"]

    enum CodingKeys: String, CodingKey {
        case every, window = "for", count, failureLimit = "failure_limit", inconclusiveLimit = "inconclusive_limit"
        case consecutiveErrors = "consecutive_errors", until
    }

    public init(every: Double? = nil, window: Double? = nil, count: Int? = nil, failureLimit: Int = 0, inconclusiveLimit: Int = 0,
                consecutiveErrors: Int = 4, untilPass: Bool = false) {
        self.every = every
        self.window = window
        self.count = count
        self.failureLimit = failureLimit
        self.inconclusiveLimit = inconclusiveLimit
        self.consecutiveErrors = consecutiveErrors
        self.untilPass = untilPass
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        every = try c.decodeIfPresent(Double.self, forKey: .every)
        window = try c.decodeIfPresent(Double.self, forKey: .window)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
        failureLimit = try c.decodeIfPresent(Int.self, forKey: .failureLimit) ?? 0
        inconclusiveLimit = try c.decodeIfPresent(Int.self, forKey: .inconclusiveLimit) ?? 0
        consecutiveErrors = try c.decodeIfPresent(Int.self, forKey: .consecutiveErrors) ?? 4
        switch try c.decodeIfPresent(String.self, forKey: .until) {
        case nil: untilPass = false
        case "pass": untilPass = true
        case let other?:
            throw LuaArgumentError(path: ["until"], problem: "must be \"pass\", got \"\(other)\"")
        }
        if let e = every, !(e > 0 && e.isFinite) { throw LuaArgumentError(path: ["every"], problem: "must be a number of seconds > 0") }
        if let w = window, !(w >= 0 && w.isFinite) { throw LuaArgumentError(path: ["for"], problem: "must be a number of seconds >= 0") }
        if let n = count, n < 1 { throw LuaArgumentError(path: ["count"], problem: "must be >= 1") }
        if failureLimit < 0 { throw LuaArgumentError(path: ["failure_limit"], problem: "must be >= 0") }
        if inconclusiveLimit < 0 { throw LuaArgumentError(path: ["inconclusive_limit"], problem: "must be >= 0") }
        if consecutiveErrors < 0 { throw LuaArgumentError(path: ["consecutive_errors"], problem: "must be >= 0") }
        if untilPass, window == nil, count == nil {
            throw LuaArgumentError(path: ["until"], problem: "needs a limit: for = SECONDS or count = N")
        }
    }

    /// Seconds between measurements; also the pause after a measurement error.
    var interval: Double { every ?? (window.map { max(1, min(10, $0 / 6)) } ?? 5) }
}

/// The running tally of one gate step's measurements, and the verdict it leads to.
struct GateTally {
    let analysis: GateAnalysis
    var measurements = 0
    var failures = 0
    var inconclusives = 0
    var errors = 0
    var consecutiveErrors = 0
    var last: GateResult?

    enum Next: Equatable {
        case measureAgain
        case done(GateResult)
        /// Too many errors in a row: the step fails with this error.
        case error(StepError)
    }

    /// Folds in one measurement; `windowOver` says whether the time for measuring has run out.
    mutating func record(_ result: GateResult, windowOver: Bool) -> Next {
        measurements += 1
        consecutiveErrors = 0
        last = result
        switch result.status {
        case .pass:
            if analysis.untilPass { return .done(result) }
        case .fail:
            failures += 1
            if !analysis.untilPass, failures > analysis.failureLimit { return .done(result) }
        case .inconclusive:
            inconclusives += 1
            if !analysis.untilPass, inconclusives > analysis.inconclusiveLimit { return .done(result) }
        }
        guard windowOver else { return .measureAgain }
        return .done(verdict())
    }

    mutating func recordError(_ error: StepError, windowOver: Bool) -> Next {
        errors += 1
        consecutiveErrors += 1
        if consecutiveErrors > analysis.consecutiveErrors {
            let n = consecutiveErrors
            return .error(StepError(name: error.name, message: "\(n) measurement error\(n == 1 ? "" : "s") in a row; last: \(error.message)"))
        }
        // Without any measurement yet there is no verdict: keep trying, up to the error limit.
        return windowOver && last != nil ? .done(verdict()) : .measureAgain
    }

    /// The outcome when the window ends without an early verdict.
    func verdict() -> GateResult {
        guard var result = last else { return GateResult(.inconclusive, "no measurement was taken") }
        if analysis.untilPass {
            if result.status != .pass {
                let limit = analysis.window.map { "within \(Self.seconds($0))" } ?? "in \(measurements) measurements"
                result.reason = "did not pass \(limit): \(result.reason)"
            }
            return result
        }
        if failures > 0 || inconclusives > 0, result.status == .pass {
            result.reason += " (\(failures) failed and \(inconclusives) inconclusive of \(measurements) measurements, within limits)"
        }
        return result
    }

    /// The table journaled as the gate step's result.
    func value(_ result: GateResult) -> LuaValue {
        var t: [String: LuaValue] = [
            "status": .string(result.status.rawValue), "reason": .string(result.reason),
            "measurements": .int(Int64(measurements)), "failures": .int(Int64(failures)),
            "inconclusive": .int(Int64(inconclusives)), "errors": .int(Int64(errors)),
        ]
        if let v = result.value { t["value"] = v }
        return .table(t)
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}
