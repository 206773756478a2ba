import FlowAWS
import FlowEngine

/// Polls GetChange until Route53 says INSYNC: only then do its DNS servers answer with the new
/// weights, which is what the seed never checked before judging green's health.
struct ChangeWaiter: Sendable {
    var initialDelay: Duration = .milliseconds(500)
    var factor = 1.5
    var maxDelay: Duration = .seconds(5)
    var timeout: Duration

    struct Outcome: Sendable, Equatable {
        var status: String
        var waited: Duration
    }

    /// `change` is what ChangeResourceRecordSets answered; `poll` is GetChange.
    func wait(for change: Route53.ChangeInfo,
              poll: @Sendable (String) async throws -> Route53.ChangeInfo) async throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var delay = initialDelay
        var status = change.status
        while status != "INSYNC" {
            let elapsed = start.duration(to: clock.now)
            guard elapsed < timeout else {
                throw StepFailure("ChangeNotInSync",
                                  "Route53 change \(change.id) was still \(status.isEmpty ? "PENDING" : status) after \(Self.seconds(timeout)); it keeps propagating, and another attempt waits again",
                                  retryable: true)
            }
            // The last sleep is cut to the deadline so the final poll lands on it, not past it.
            try await Task.sleep(for: min(delay, timeout - elapsed))
            status = try await poll(change.id).status
            delay = min(delay * factor, maxDelay)
        }
        return Outcome(status: status, waited: start.duration(to: clock.now))
    }

    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}

extension Duration {
    var milliseconds: Int {
        Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
