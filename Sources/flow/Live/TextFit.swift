/// Long text made to fit: a reason shortened for a one-line summary, an error wrapped to a width.
enum TextFit {
    /// At most `limit` characters on one line: cut at a clause ("; ") or word boundary when one
    /// is near the end, and marked with "…".
    static func shorten(_ text: String, to limit: Int) -> String {
        let line = DisplayWidth.sanitize(text)
        guard line.count > limit, limit > 8 else { return line }
        let head = line.prefix(limit - 1)
        let floor = head.index(head.startIndex, offsetBy: (limit * 3) / 5)
        if let clause = head.range(of: "; ", options: .backwards), clause.lowerBound >= floor {
            return String(head[..<clause.lowerBound]) + "…"
        }
        if let space = head.lastIndex(of: " "), space >= floor {
            return String(head[..<space]).trimmingTrailing(",:;") + "…"
        }
        return String(head) + "…"
    }

    /// `text` broken into lines of at most `columns` columns, at spaces where it can.
    static func wrap(_ text: String, columns: Int) -> [String] {
        let columns = max(columns, 8)
        var lines: [String] = []
        var line = ""
        var width = 0
        for word in DisplayWidth.sanitize(text).split(separator: " ", omittingEmptySubsequences: false) {
            var word = String(word)
            var w = DisplayWidth.of(word)
            if width > 0, width + 1 + w <= columns {
                line += " " + word
                width += 1 + w
                continue
            }
            if width > 0 {
                lines.append(line)
                line = ""
                width = 0
            }
            // A word longer than a line is split wherever it must be.
            while w > columns {
                var piece = ""
                var used = 0
                while let c = word.first, used + DisplayWidth.of(c) <= columns {
                    piece.append(c)
                    used += DisplayWidth.of(c)
                    word.removeFirst()
                }
                lines.append(piece)
                w = DisplayWidth.of(word)
            }
            line = word
            width = w
        }
        if width > 0 || lines.isEmpty { lines.append(line) }
        return lines
    }
}

extension String {
    func trimmingTrailing(_ characters: String) -> String {
        var s = Substring(self)
        while let last = s.last, characters.contains(last) { s.removeLast() }
        return String(s)
    }
}
