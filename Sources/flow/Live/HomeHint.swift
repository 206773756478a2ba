import FlowEngine
#if canImport(Glibc)
import Glibc
#endif

/// The `--home DIR` a printed command needs to find the execution again: none for the home a
/// plain `flow` would use ($FLOW_HOME, else ./.flow).
enum HomeHint {
    static func suffix(for home: FlowHome) -> String {
        let fallback: String
        if let env = getenv("FLOW_HOME"), env.pointee != 0 {
            fallback = String(cString: env)
        } else {
            fallback = ".flow"
        }
        func normal(_ p: String) -> String {
            var p = p
            while p.count > 1, p.hasSuffix("/") { p.removeLast() }
            return p.hasPrefix("./") ? String(p.dropFirst(2)) : p
        }
        return normal(home.root) == normal(fallback) ? "" : " --home " + quoted(home.root)
    }

    /// A shell word: as is when it is plainly safe, else in single quotes.
    static func quoted(_ s: String) -> String {
        let safe = !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:@%,=".contains($0)) }
        return safe ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
