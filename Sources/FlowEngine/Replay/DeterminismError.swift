/// The script asked for something other than what the journal recorded at the same position:
/// replaying on would apply a history to a different program.
public struct DeterminismError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Side: Sendable, Equatable {
        public var kind: StepKind
        public var name: String
        public var digest: UInt64
        public var location: String

        var rendered: String {
            "\(kind.rawValue) '\(name)' (arguments \(StepDigest.hex(digest))) at \(location)"
        }
    }

    public var seq: Int
    /// nil when the script asks for a step the journal does not have although it has finished.
    public var recorded: Side?
    /// nil when the script finished while the journal has more steps.
    public var now: Side?
    public var recordedStepCount: Int

    public var description: String {
        var lines = ["determinism error at step \(seq):"]
        lines.append("  recorded: " + (recorded?.rendered ?? "nothing (the journal ends at step \(recordedStepCount))"))
        lines.append("  now:      " + (now?.rendered ?? "the script finished before step \(seq)"))
        if let r = recorded, let n = now {
            var diff: [String] = []
            if r.kind != n.kind { diff.append("kind \(r.kind.rawValue) -> \(n.kind.rawValue)") }
            if r.name != n.name { diff.append("name '\(r.name)' -> '\(n.name)'") }
            if r.digest != n.digest { diff.append("arguments differ") }
            if !diff.isEmpty { lines.append("  changed:  " + diff.joined(separator: ", ")) }
        }
        lines.append("The workflow script no longer makes the calls this execution made. Restore the script it started with, "
            + "or keep new code behind a condition that is false for executions already running; "
            + "`flow history ID` lists the recorded steps.")
        return lines.joined(separator: "\n")
    }
}
