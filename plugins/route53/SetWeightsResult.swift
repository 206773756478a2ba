/// What `route53.set_weights` and `failback.restore` return:
/// `{zone_id, record, type, change_id, status, weights, previous, changed, waited_ms}`.
public struct SetWeightsResult: Codable, Sendable, Equatable {
    public var zoneID: String
    public var record: String
    public var type: String
    /// nil when no change was sent (the weights were already the target).
    public var changeID: String?
    /// "INSYNC" once waited for; what Route53 answered ("PENDING") with `wait = false`.
    public var status: String
    /// Every set's weight as read back after the change.
    public var weights: [String: Int]
    /// Every set's weight before it.
    public var previous: [String: Int]
    /// Whether any weight differed from the target.
    public var changed: Bool
    public var waitedMs: Int

    enum CodingKeys: String, CodingKey {
        case record, type, status, weights, previous, changed
        case zoneID = "zone_id"
        case changeID = "change_id"
        case waitedMs = "waited_ms"
    }
}
