#if canImport(Glibc)
import Glibc
#endif

/// How wide stdout is and whether it gets colour: COLUMNS, else the terminal's size
/// (TIOCGWINSZ), else 100; colour only on a terminal and without NO_COLOR (no-color.org).
struct TerminalStyle {
    var width: Int
    var colour: Bool

    static let defaultWidth = 100
    static func current() -> TerminalStyle {
        TerminalStyle(width: columns(), colour: colourWanted())
    }

    static func columns() -> Int {
        if let env = getenv("COLUMNS"), let n = Int(String(cString: env)), n > 0 { return n }
        var size = winsize()
        if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return defaultWidth
    }

    static func colourWanted() -> Bool {
        if let env = getenv("NO_COLOR"), env.pointee != 0 { return false }
        return isatty(1) != 0
    }

    /// SGR codes; the text is measured and cut before it is painted, so colour never counts.
    enum Paint: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", cyan = "36"
    }

    func paint(_ text: String, _ paint: Paint?) -> String {
        guard colour, let paint, !text.isEmpty else { return text }
        return "\u{1b}[\(paint.rawValue)m\(text)\u{1b}[0m"
    }
}
