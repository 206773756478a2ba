import ArgumentParser
import FlowEngine
#if canImport(Glibc)
import Glibc
#endif

/// Value completions for `flow --generate-completion-script bash|zsh|fish`.
enum Completions {
    /// A workflow or trigger script.
    static let lua = CompletionKind.file(extensions: ["lua"])
    /// A JSON file: parameters, an event pattern, an event.
    static let json = CompletionKind.file(extensions: ["json"])

    /// The execution ids of the home the command line names (`--home DIR`, else $FLOW_HOME,
    /// else ./.flow): the folder names under its executions/. Nothing when there is none.
    static let executionID = CompletionKind.custom { words, _, _ in
        FlowHome(root: homeRoot(in: words)).executionIDs()
    }

    /// The home a command line being completed names. The shell hands the words over verbatim,
    /// so quotes around the path are removed and a leading `~/` is expanded here.
    static func homeRoot(in words: [String]) -> String {
        var root: String?
        for (i, word) in words.enumerated() {
            if word == "--home", i + 1 < words.count {
                root = words[i + 1]
            } else if word.hasPrefix("--home=") {
                root = String(word.dropFirst("--home=".count))
            }
        }
        if var root, !root.isEmpty {
            if root.count >= 2, let q = root.first, q == "'" || q == "\"", root.last == q {
                root = String(root.dropFirst().dropLast())
            }
            if root.hasPrefix("~/"), let home = getenv("HOME") {
                root = String(cString: home) + root.dropFirst()
            }
            return root
        }
        if let env = getenv("FLOW_HOME"), env.pointee != 0 { return String(cString: env) }
        return ".flow"
    }
}
