#if canImport(Glibc)
import Glibc
#endif

/// What the environment says about the terminal: whether a live view may be drawn on it, in
/// colour (NO_COLOR, https://no-color.org), with Unicode glyphs (a UTF-8 locale).
enum TerminalSettings {
    static func environment(_ name: String) -> String? {
        guard let v = getenv(name), v.pointee != 0 else { return nil }
        return String(cString: v)
    }

    /// A terminal that understands cursor movement: a TTY whose TERM is set and not "dumb".
    static func canRedraw(fd: Int32) -> Bool {
        guard isatty(fd) == 1, let term = environment("TERM") else { return false }
        return term != "dumb"
    }

    static var color: Bool { environment("NO_COLOR") == nil }

    static var unicode: Bool {
        let locale = environment("LC_ALL") ?? environment("LC_CTYPE") ?? environment("LANG") ?? ""
        let l = locale.lowercased()
        return l.contains("utf-8") || l.contains("utf8")
    }
}
