/// Terminal columns of text: one per character, two for East Asian wide and emoji ones, none
/// for combining marks; control characters (newlines from a process's stderr) become spaces
/// so a cell is always one line.
enum TextWidth {
    static let ellipsis: Character = "…"

    /// One line: newlines, tabs and other control characters become single spaces.
    static func oneLine(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var lastWasSpace = false
        for ch in text {
            let control = ch.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }
            if control || ch == " " {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(ch)
                lastWasSpace = false
            }
        }
        return out
    }

    static func of(_ text: String) -> Int { text.reduce(0) { $0 + of($1) } }

    static func of(_ ch: Character) -> Int {
        guard let s = ch.unicodeScalars.first else { return 0 }
        let v = s.value
        if v < 0x300 { return 1 }
        if (0x300...0x36f).contains(v) || (0x200b...0x200f).contains(v) || (0xfe00...0xfe0f).contains(v) { return 0 }
        if (0x1100...0x115f).contains(v) || (0x2e80...0xa4cf).contains(v) || (0xac00...0xd7a3).contains(v)
            || (0xf900...0xfaff).contains(v) || (0xfe30...0xfe4f).contains(v) || (0xff00...0xff60).contains(v)
            || (0xffe0...0xffe6).contains(v) || (0x1f300...0x1f64f).contains(v) || (0x1f900...0x1f9ff).contains(v)
            || (0x20000...0x3fffd).contains(v) {
            return 2
        }
        return 1
    }

    /// At most `width` columns; text cut short ends with an ellipsis.
    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        var out = ""
        var used = 0
        for ch in text {
            let w = of(ch)
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        out.append(ellipsis)
        return out
    }

    /// `text` padded with spaces to `width` columns (on the left when `right`).
    static func pad(_ text: String, to width: Int, right: Bool = false) -> String {
        let gap = String(repeating: " ", count: max(0, width - of(text)))
        return right ? gap + text : text + gap
    }
}

extension TextWidth {
    /// Word-wrapped to `width` columns, at most `maxLines` lines (the last cut with an ellipsis).
    static func wrap(_ text: String, to width: Int, maxLines: Int = 6) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var line = ""
        for word in oneLine(text).split(separator: " ") {
            var word = String(word)
            while of(word) > width {             // a word longer than a line: hard break
                if !line.isEmpty { lines.append(line); line = "" }
                var head = ""
                var used = 0
                var rest = Substring(word)
                while let ch = rest.first, used + of(ch) <= width {
                    head.append(ch)
                    used += of(ch)
                    rest = rest.dropFirst()
                }
                if head.isEmpty { break }
                lines.append(head)
                word = String(rest)
            }
            if line.isEmpty {
                line = word
            } else if of(line) + 1 + of(word) <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
        }
        if !line.isEmpty { lines.append(line) }
        if lines.count > maxLines {
            lines = Array(lines.prefix(maxLines))
            let last = lines[maxLines - 1] + String(ellipsis)
            lines[maxLines - 1] = truncate(last, to: width)
        }
        return lines
    }
}
