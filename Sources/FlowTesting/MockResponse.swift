/// One scripted answer of a mocked step, as a test file writes it (Step Functions Local's
/// `Return` / `Throw`, plus gate verdicts and time):
///
///     { returns = {...} }                                  -- the step's result
///     { error = "Throttling", message = "Rate exceeded", retryable = true }
///     { status = "fail", reason = "5xx at 3%", value = { rate = 0.03 } }   -- a gate's measurement
///     { delay = 40, returns = ... }                        -- takes 40 virtual seconds first
///     { hang = true }                                      -- never answers (a timeout test)
public struct MockResponse: Decodable, Sendable, Equatable {
    public var returns: StepValue?
    public var error: String?
    public var message: String?
    public var retryable: Bool?
    public var status: GateStatus?
    public var reason: String?
    public var value: StepValue?
    public var delay: Double?
    public var hang: Bool?

    /// Plays the answer out on the step's clock.
    func answer(_ context: StepContext, function: String) async throws -> StepValue {
        if let d = delay, d > 0 { try await context.sleep(seconds: d) }
        if hang == true {
            // Until the step's timeout, or the end of virtual time (the run then stalls).
            try await context.sleep(seconds: 1e12)
        }
        if let error {
            throw StepFailure(error, message ?? "mocked \(error) from \(function)", retryable: retryable ?? true)
        }
        if let status {
            var result: [String: StepValue] = ["status": .string(status.rawValue),
                                               "reason": .string(reason ?? "mocked \(status.rawValue)")]
            if let value { result["value"] = value }
            return .table(result)
        }
        return returns ?? .nil
    }
}

/// How a step's calls are numbered against a mock's entries.
public enum MockCounting: String, Decodable, Sendable {
    /// Every invocation of the function in the run counts (retries and each gate measurement
    /// included), as Step Functions Local numbers its mocked responses.
    case call
    /// The step's attempt number: `[1]` the first try of each call, `[2]` its first retry.
    case attempt
}

/// Everything a test scripted for one function, normalized by the test prelude from
/// `{ [1] = ..., ["2-3"] = ..., ["4+"] = ..., default = ..., by = "attempt" }`.
public struct MockPlan: Decodable, Sendable, Equatable {
    public struct Range: Decodable, Sendable, Equatable {
        public var from: Int
        /// nil: open-ended ("4+").
        public var to: Int?
        public var response: MockResponse
    }

    public var by: MockCounting = .call
    public var ranges: [Range] = []
    public var `default`: MockResponse?

    enum CodingKeys: String, CodingKey { case by, ranges, `default` }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        by = try c.decodeIfPresent(MockCounting.self, forKey: .by) ?? .call
        ranges = try c.decodeIfPresent([Range].self, forKey: .ranges) ?? []
        self.default = try c.decodeIfPresent(MockResponse.self, forKey: .default)
    }

    /// The response for call or attempt number `n`, if the plan has one.
    public func response(for n: Int) -> MockResponse? {
        ranges.first { n >= $0.from && n <= ($0.to ?? Int.max) }?.response ?? self.default
    }

    /// "1, 2-3, 4+" for messages.
    var coverage: String {
        let parts = ranges.map { r -> String in
            guard let to = r.to else { return "\(r.from)+" }
            return to == r.from ? "\(r.from)" : "\(r.from)-\(to)"
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
