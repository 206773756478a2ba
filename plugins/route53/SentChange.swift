import FlowAWS
import FlowEngine
import FlowPluginSupport

/// What `set_weights` (and `failback.restore`) checkpoints once Route53 has accepted its batch and
/// before it waits for INSYNC: `{change_id, zone_id, record, type, weights, previous, changed}`.
/// An attempt resumed in flight after a crash finds it (`StepContext.resumedCheckpoint`) and waits
/// for that change instead of sending the batch again; `previous` and `changed` let it return what
/// the attempt that sent the batch would have returned.
struct SentChange: Codable, Sendable, Equatable {
    var changeID: String
    var zoneID: String
    var record: String
    var type: String
    /// The weights the batch set.
    var weights: [String: Int]
    /// Every set's weight before the batch.
    var previous: [String: Int]
    /// Whether the batch changed any weight (false when it was sent only to have a change to wait for).
    var changed: Bool

    enum CodingKeys: String, CodingKey {
        case record, type, weights, previous, changed
        case changeID = "change_id"
        case zoneID = "zone_id"
    }

    /// Whether it was sent for this very step: the same zone, record, type and target weights.
    func matches(zoneID: String, record: WeightedRecord, weights: [String: Int]) -> Bool {
        self.zoneID == zoneID && self.record == record.name && type == record.type && self.weights == weights
    }

    /// The change as Route53 tells it now, or nil when Route53 does not know the id (NoSuchChange):
    /// then the batch is sent again, the one repeat an in-flight step is allowed.
    func lookUp(_ route53: Route53) async throws -> Route53.ChangeInfo? {
        do {
            return try await awsStep { try await route53.getChange(id: changeID) }
        } catch let failure as StepFailure where failure.name == "NoSuchChange" {
            return nil
        }
    }
}
