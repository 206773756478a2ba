import FlowAWS

/// The messages of one ReceiveMessage while they are worked on: which are still owed a delivery,
/// which were delivered (to delete), which were let go (left to come back) and which are gone.
/// The heartbeat extends every message not yet let go or deleted.
actor SQSBatch {
    enum State: Equatable { case pending, delivered, released, deleted }

    struct Entry: Sendable, Equatable {
        var id: String
        var receiptHandle: String
    }

    private var states: [String: State] = [:]
    private let entries: [Entry]

    init(_ messages: [SQS.Message]) {
        entries = messages.map { Entry(id: $0.MessageId, receiptHandle: $0.ReceiptHandle) }
        for entry in entries { states[entry.id] = .pending }
    }

    func markDelivered(_ id: String) { if states[id] == .pending { states[id] = .delivered } }

    /// Stops extending it: it becomes visible again when its current timeout runs out.
    func release(_ id: String) { if states[id] != .deleted { states[id] = .released } }

    func markDeleted(_ ids: [String]) { for id in ids { states[id] = .deleted } }

    /// What the heartbeat extends.
    func unfinished() -> [Entry] { entries.filter { [.pending, .delivered].contains(states[$0.id]) } }

    /// Delivered and not yet deleted; with `ids`, those of them that are pending or delivered.
    func deletable(_ ids: [String]? = nil) -> [Entry] {
        guard let ids else { return entries.filter { states[$0.id] == .delivered } }
        return entries.filter { ids.contains($0.id) && [.pending, .delivered].contains(states[$0.id]) }
    }

    /// Never delivered: released on shutdown so another consumer need not wait out the timeout.
    func pending() -> [Entry] { entries.filter { states[$0.id] == .pending } }
}
