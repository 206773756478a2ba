#if canImport(Glibc)
import Glibc
#endif

/// The bottom of a terminal, redrawn in place: lines printed above scroll away, the frame below
/// them is overwritten at each draw. Every line is cut to the width minus one column, so no
/// line ever wraps (a wrapped line would throw the cursor arithmetic off). `draw` and `close`
/// return the bytes to write (`write` them in the same order). Not thread-safe: the live view
/// calls it under its lock.
final class TerminalScreen {
    let fd: Int32
    let color: Bool
    let unicode: Bool
    /// The widths of the frame's lines as last drawn (to know how many rows to go back up).
    private var drawn: [Int] = []
    private var cursorHidden = false
    private(set) var hasDrawn = false

    init(fd: Int32, color: Bool, unicode: Bool) {
        self.fd = fd
        self.color = color
        self.unicode = unicode
    }

    /// The terminal's size now (asked at every draw, so a resize takes effect at the next one);
    /// $COLUMNS / $LINES, then 80x24, when the terminal does not say.
    func size() -> (columns: Int, rows: Int) {
        var ws = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 {
            return (Int(ws.ws_col), ws.ws_row > 0 ? Int(ws.ws_row) : 24)
        }
        let columns = TerminalSettings.environment("COLUMNS").flatMap { Int($0) } ?? 80
        let rows = TerminalSettings.environment("LINES").flatMap { Int($0) } ?? 24
        return (max(columns, 1), max(rows, 1))
    }

    /// The columns a line may use.
    var usableColumns: Int { max(1, size().columns - 1) }

    /// Prints `above` once (cut to the width), then replaces the previous frame with `frame`
    /// (cut to the width and to the terminal's height).
    func draw(above: [StyledLine], frame: [StyledLine]) -> String {
        let (columns, rows) = size()
        let width = max(1, columns - 1)
        var out = ""
        if !cursorHidden {
            out += "\u{1B}[?25l"
            cursorHidden = true
        }
        out += backToFrameStart(columns: columns)
        for line in above { out += line.cut(to: width, unicode: unicode).render(color: color) + "\u{1B}[K\n" }
        let shown = frame.prefix(max(1, rows - 1)).map { $0.cut(to: width, unicode: unicode) }
        for line in shown { out += line.render(color: color) + "\u{1B}[K\n" }
        out += "\u{1B}[J"
        drawn = shown.map(\.width)
        hasDrawn = true
        return out
    }

    /// Removes the frame (for a line written to the same terminal by someone else); the next
    /// `draw` puts it back under that line.
    func erase() -> String {
        guard !drawn.isEmpty else { return "" }
        let (columns, _) = size()
        let out = backToFrameStart(columns: columns) + "\u{1B}[J"
        drawn = []
        return out
    }

    /// Leaves the last frame where it is, prints `trailer` under it and shows the cursor again.
    func close(trailer: [StyledLine]) -> String {
        let width = max(1, size().columns - 1)
        var out = ""
        for line in trailer { out += line.cut(to: width, unicode: unicode).render(color: color) + "\u{1B}[K\n" }
        if cursorHidden {
            out += "\u{1B}[?25h"
            cursorHidden = false
        }
        drawn = []
        return out
    }

    /// To column 0 of the frame's first line. A terminal made narrower since may have wrapped
    /// the old lines: each takes as many rows as its width needs now.
    private func backToFrameStart(columns: Int) -> String {
        let rows = drawn.reduce(0) { $0 + max(1, ($1 + columns - 1) / max(columns, 1)) }
        return rows > 0 ? "\r\u{1B}[\(rows)A" : "\r"
    }

    static func write(_ text: String, to fd: Int32) {
        guard !text.isEmpty else { return }
        var text = text
        text.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 {
                    if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                    return
                }
                offset += n
            }
        }
    }
}
