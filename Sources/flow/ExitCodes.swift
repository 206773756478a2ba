import ArgumentParser
import FlowEngine

/// The exit codes scripts and CI rely on (also in `flow --help` and the README).
enum Exit {
    static let succeeded: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let locked: Int32 = 3
    static let journal: Int32 = 4
    static let determinism: Int32 = 5
    static let cancelled: Int32 = 6
    static let internalError: Int32 = 70
    static let interrupted: Int32 = 130

    static func code(for outcome: RunOutcome) -> Int32 {
        switch outcome {
        case .succeeded: succeeded
        case .failed: failed
        case .cancelled, .aborted: cancelled
        case .interrupted: interrupted
        case .alreadyFinished(let s): code(for: s)
        }
    }

    static func code(for status: FinalStatus) -> Int32 {
        switch status {
        case .succeeded: succeeded
        case .failed: failed
        case .cancelled, .aborted: cancelled
        }
    }

    static func code(for error: RunError) -> Int32 {
        switch error.code {
        case .usage: usage
        case .locked: locked
        case .journal: journal
        case .determinism: determinism
        case .internalError: internalError
        }
    }
}

/// Prints a RunError as one clear message on stderr and exits with its code.
func fail(_ error: RunError) -> ExitCode {
    Console.error(error.message)
    return ExitCode(Exit.code(for: error))
}
