/// The failures a Lua gate's measurement ends with, as `StepFailure`s so retry policies and
/// `consecutive_errors` can match them by name. What a team can fix in the file (a bad name,
/// a missing file, a file that does not return a function, a malformed result) is not
/// retryable: measuring again cannot help. What may pass next time (a Lua error on odd data,
/// a slow endpoint) is retryable, and the engine's error policy decides.
enum GateError {
    static func notFound(_ gate: String, searched: [String]) -> StepFailure {
        let folders = searched.isEmpty ? "the search path is empty" : "searched " + searched.joined(separator: ", ")
        return StepFailure(
            "GateNotFound",
            "no gate '\(gate)': \(gate).lua is not on the gate search path (\(folders)); add a folder with --plugins DIR or FLOW_PLUGIN_PATH",
            retryable: false)
    }

    static func unreadable(_ gate: String, path: String, reason: String) -> StepFailure {
        StepFailure("InvalidGate", "gate '\(gate)': cannot read \(path): \(reason)", retryable: false)
    }

    /// A syntax error: Lua's message already names `file:line`.
    static func syntax(_ gate: String, message: String) -> StepFailure {
        StepFailure("InvalidGate", "gate '\(gate)': \(message)", retryable: false)
    }

    static func notAFunction(path: String, got: String) -> StepFailure {
        StepFailure("InvalidGate", "\(path) must return a function (ctx, args), got \(got)", retryable: false)
    }

    /// `message` already starts with `file:line:` when Lua knew where.
    static func lua(_ gate: String, message: String) -> StepFailure {
        StepFailure("GateError", "gate '\(gate)': \(message)", retryable: true)
    }

    static func timeout(_ gate: String, at place: String, seconds: Double, waitingFor call: String? = nil) -> StepFailure {
        let waiting = call.map { " waiting for \($0)" } ?? ""
        return StepFailure(
            "GateTimeout", "gate '\(gate)' (\(place)) exceeded its time limit of \(format(seconds)) s\(waiting)", retryable: true)
    }

    static func limit(_ gate: String, at place: String, what: String) -> StepFailure {
        StepFailure("GateLimit", "gate '\(gate)' (\(place)) exceeded its \(what)", retryable: true)
    }

    static func invalidResult(_ gate: String, definedAt: String, problem: String) -> StepFailure {
        StepFailure(
            "InvalidGateResult",
            "gate '\(gate)': the function at \(definedAt) \(problem); a gate returns { status = \"pass\" | \"fail\" | \"inconclusive\", reason = \"...\", value = ... }",
            retryable: false)
    }

    static func internalError(_ gate: String, _ what: String) -> StepFailure {
        StepFailure("InternalError", "gate '\(gate)': \(what)", retryable: false)
    }

    /// 30 -> "30", 0.5 -> "0.5": how a person wrote the limit.
    static func format(_ seconds: Double) -> String {
        if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int64(seconds)) }
        return String(seconds)
    }
}
