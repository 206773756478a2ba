import FlowEngine

/// The lines that say what is wrong or who is in charge: a failed attempt, the fail-back, the
/// last operator command, a pause and how to end it, an execution nobody drives.
extension RolloutFrame {
    func statusLines(_ m: RolloutModel, now: Millis) -> [StyledLine] {
        var out: [StyledLine] = []
        if let f = m.failure {
            var l = label(f.until == nil ? "failed" : "retry")
            l.append("[\(f.seq)] \(f.name) attempt \(f.attempt): ", .plain)
            l.append(f.error.description, .red)
            out.append(l)
        }
        if let c = m.compensation {
            var l = label("failback")
            l.append(c.reason == .failed ? "the workflow failed" : "\(c.reason.rawValue) by an operator", .boldRed)
            l.append(m.outcome == nil ? ": running its on_failure handlers" : ": its on_failure handlers ran", .plain)
            l.append(" · \(c.error.name)", .dim)
            out.append(l)
        }
        if let op = m.operators.last {
            var l = label("operator")
            l.append(op.action.replacingOccurrences(of: "_", with: " "), .yellow)
            l.append(" by \(op.by)" + (op.reason.map { ": \($0)" } ?? ""))
            l.append(" · \(Durations.clock(now - op.at)) ago", .dim)
            out.append(l)
        }
        if m.outcome == nil, m.compensation == nil {
            let id = m.id ?? "ID"
            if m.paused != nil {
                var l = label("PAUSED", .boldYellow)
                l.append("held before the next step · ", .yellow)
                l.append("flow unpause \(id)\(homeSuffix)", .bold)
                out.append(l)
            } else if m.awaitingPromotion {
                var l = label("PAUSED", .boldYellow)
                l.append("waiting for a person · ", .yellow)
                l.append("flow promote \(id)\(homeSuffix)", .bold)
                l.append(" goes on, ", .yellow)
                l.append("flow abort \(id)\(homeSuffix)", .bold)
                l.append(" fails back", .yellow)
                out.append(l)
            }
            if m.driver == .none {
                var l = label("note", .yellow)
                l.append("no process drives it now · ", .yellow)
                l.append("flow resume \(id)\(homeSuffix)", .bold)
                out.append(l)
            }
        }
        return out
    }
}
