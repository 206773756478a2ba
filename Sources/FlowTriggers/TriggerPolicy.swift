/// What a trigger does with a newer revision of a service that arrives while a rollout of that
/// service runs. At most one rollout of a service runs at a time, whatever the policy.
public enum TriggerPolicy: String, Sendable, Codable, CaseIterable {
    /// Record the event as `rejected` and do nothing else: a person decides (the default, because
    /// starting a rollout nobody asked for while another one is halfway is the riskier choice).
    case reject
    /// Start it when the running rollout finishes. Only the newest waiting revision is kept: a
    /// newer arrival replaces the one waiting (rolling out a revision only to replace it at once
    /// helps nobody).
    case queue
    /// Cancel the running rollout (its fail-back runs), wait for it to finish, then start this one.
    case supersede
}
