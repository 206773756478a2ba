import FlowEngine
import FlowRoute53

/// `failback.restore{ zone, record, weights, type?, region? }`.
public struct RestoreInput: Decodable, Sendable, Equatable {
    public var zone: String
    public var record: String
    public var weights: [String: Int]
    public var type: String?
    public var region: String?

    public init(zone: String, record: String, weights: [String: Int], type: String? = nil, region: String? = nil) {
        self.zone = zone
        self.record = record
        self.weights = weights
        self.type = type
        self.region = region
    }

    /// Always waits for INSYNC: compensation is over only when traffic is back.
    var setWeights: SetWeightsInput {
        SetWeightsInput(zone: zone, record: record, weights: weights, type: type, wait: true, region: region)
    }

    static func check(_ input: RestoreInput) throws {
        try SetWeightsInput.check(input.setWeights)
    }
}
