import FlowEngine
import FlowLua

/// What the live view prints under its last frame: one line saying how it ended, the weights it
/// left, and for a failure its error, wrapped to the width (never cut: it is not redrawn).
enum OutcomeLines {
    static func lines(_ m: RolloutModel, now: Millis, columns: Int, unicode: Bool) -> [StyledLine] {
        guard let outcome = m.outcome else { return [] }
        let took = m.startedAt.map { Durations.clock((m.finishedAt ?? now) - $0) }
        let ok = unicode ? "✓ " : "+ ", bad = unicode ? "✗ " : "x ", stop = unicode ? "■ " : "- "
        var head = StyledLine()
        var error: StepError?
        switch outcome {
        case .succeeded:
            head.append(ok + "succeeded" + (took.map { " in \($0)" } ?? ""), .boldGreen)
        case .failed(let e):
            head.append(bad + "failed" + (took.map { " after \($0)" } ?? ""), .boldRed)
            error = e
        case .cancelled(let e):
            head.append(stop + "cancelled" + (took.map { " after \($0)" } ?? ""), .boldYellow)
            error = e
        case .aborted(let e):
            head.append(stop + "aborted" + (took.map { " after \($0)" } ?? ""), .boldYellow)
            error = e
        case .interrupted:
            head.append(stop + "interrupted" + (took.map { " after \($0)" } ?? ""), .yellow)
        case .alreadyFinished(let s):
            head.append("already \(s.rawValue)", .bold)
        }
        if let w = m.weights {
            head.append(" · weights " + w.percentText, .cyan)
        }
        var out = [head]
        if let error {
            for piece in TextFit.wrap(error.description, columns: max(8, columns - 3)) {
                out.append(StyledLine("  " + piece, .red))
            }
        }
        return out
    }
}
