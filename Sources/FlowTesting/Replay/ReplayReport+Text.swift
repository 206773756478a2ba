extension ReplayReport {
    /// The report as a person reads it (`flow replay` without `--json`):
    ///
    ///     divergent at step 3: other arguments
    ///       history:  canary.history.json: execution canary-1 of canary.lua, 6 steps, succeeded
    ///       script:   canary.lua: 2 of 6 steps replayed
    ///       recorded: step 3: native 'flow.exec' {"cmd":"./shift.sh 10"} at canary.lua:5
    ///       now:      step 3: native 'flow.exec' {"cmd":"./shift.sh 20"} at canary.lua:5
    ///       hint:     other arguments: native 'flow.exec' {...} is called with other arguments than recorded (cmd differs)
    ///     ...
    ///
    /// Invalid or failed: the problem alone (the command prints it as an error).
    public var text: String {
        switch verdict {
        case .invalid, .failed:
            return problem ?? "the replay check could not run"
        case .consistent:
            var lines = ["consistent: \(script) replays the history of execution \(execution ?? "?")"] + context
            if let next { lines.append("  next:     " + next) }
            return lines.joined(separator: "\n")
        case .divergent:
            guard let d = divergence else { return "divergent" }
            let at = d.seq.map { " at step \($0)" } ?? ""
            var lines = ["divergent\(at): \(d.kind.title)\(d.compensation ? " (in the on_failure handlers)" : "")"] + context
            lines.append("  recorded: " + d.recorded.text)
            lines.append("  now:      " + d.now.text)
            lines.append("  hint:     " + d.hint)
            lines.append("""
                A resume of an execution with this history would not go on as recorded. Restore what changed, or keep \
                the new code behind a condition that is false for executions already running \
                (`flow history ID` lists the recorded steps).
                """)
            return lines.joined(separator: "\n")
        }
    }

    private var context: [String] {
        let steps = recordedSteps ?? 0
        let status = historyStatus.map { $0 == "running" ? "still running" : "finished \($0)" } ?? "?"
        return [
            "  history:  \(history): execution \(execution ?? "?") of \(workflow ?? "?"), \(steps) steps, \(status)",
            "  script:   \(script): \(replayedSteps ?? 0) of \(steps) steps replayed",
        ]
    }
}

extension ReplayReport.Divergence.Kind {
    var title: String {
        switch self {
        case .anotherStep: "another step"
        case .otherArguments: "other arguments"
        case .stepRemoved: "a step removed"
        case .stepAdded: "a step added after the end"
        case .differentOutcome: "a different outcome"
        case .paramsRejected: "the recorded parameters are refused"
        }
    }
}
