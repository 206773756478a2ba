import FlowEngine

/// `route53.weights{ zone, record, type?, region? }` and `failback.capture{...}`.
public struct WeightsInput: Decodable, Sendable, Equatable {
    /// A hosted zone id ("Z123", "/hostedzone/Z123") or name ("example.com", "example.com.").
    public var zone: String
    public var record: String
    /// Only needed when the record has weighted sets of more than one type.
    public var type: String?
    public var region: String?

    public init(zone: String, record: String, type: String? = nil, region: String? = nil) {
        self.zone = zone
        self.record = record
        self.type = type
        self.region = region
    }

    /// Errors name the argument, as a script author wrote it.
    public static func check(_ input: WeightsInput) throws {
        try checkNames(zone: input.zone, record: input.record, type: input.type)
    }

    static func checkNames(zone: String, record: String, type: String?) throws {
        if zone.isBlank { throw StepArgumentError(path: ["zone"], problem: "must name a hosted zone (id or name)") }
        if record.isBlank { throw StepArgumentError(path: ["record"], problem: "must name a record, e.g. \"api.example.com\"") }
        if let type, type.isBlank { throw StepArgumentError(path: ["type"], problem: "must be a record type such as \"A\" or \"CNAME\"") }
    }
}

/// `route53.set_weights{ zone, record, weights = {blue = 90, green = 10}, type?, wait?, insync_timeout?, region? }`.
public struct SetWeightsInput: Decodable, Sendable, Equatable {
    public var zone: String
    public var record: String
    /// Absolute weights by set identifier; sets not named keep their weight.
    public var weights: [String: Int]
    public var type: String?
    /// Wait until Route53 reports the change INSYNC (default true).
    public var wait: Bool?
    /// Seconds to wait for INSYNC (default 300).
    public var insyncTimeout: Double?
    public var region: String?

    enum CodingKeys: String, CodingKey {
        case zone, record, weights, type, wait, region
        case insyncTimeout = "insync_timeout"
    }

    public init(zone: String, record: String, weights: [String: Int], type: String? = nil, wait: Bool? = nil,
                insyncTimeout: Double? = nil, region: String? = nil) {
        self.zone = zone
        self.record = record
        self.weights = weights
        self.type = type
        self.wait = wait
        self.insyncTimeout = insyncTimeout
        self.region = region
    }

    public static let defaultInsyncTimeout = 300.0
    /// A day: Route53 changes take seconds to minutes; longer means something else is wrong.
    public static let maxInsyncTimeout = 86_400.0

    /// Runs before anything is journaled, so a bad weight never reaches AWS.
    public static func check(_ input: SetWeightsInput) throws {
        try WeightsInput.checkNames(zone: input.zone, record: input.record, type: input.type)
        try checkWeights(input.weights)
        if let t = input.insyncTimeout, !(t >= 0 && t <= maxInsyncTimeout) {
            throw StepArgumentError(path: ["insync_timeout"], problem: "must be a number of seconds from 0 to \(Int(maxInsyncTimeout))")
        }
    }

    /// Route53 takes weights 0...255; fractional weights never get this far (the decoder wants integers).
    public static func checkWeights(_ weights: [String: Int], path: [String] = ["weights"]) throws {
        if weights.isEmpty {
            throw StepArgumentError(path: path, problem: "must give at least one set's weight, e.g. {blue = 90, green = 10}")
        }
        for (set, weight) in weights.sorted(by: { $0.key < $1.key }) {
            if set.isEmpty { throw StepArgumentError(path: path, problem: "set identifiers must not be empty") }
            if !(0...255).contains(weight) {
                throw StepArgumentError(path: path + [set], problem: "weight must be an integer from 0 to 255, got \(weight)")
            }
        }
    }
}

extension String {
    var isBlank: Bool { allSatisfy(\.isWhitespace) }
}
