/// A table that fits the terminal: columns take their natural width; when the lines would be
/// too long the flexible columns shrink (cells cut with an ellipsis) down to their minimum,
/// then optional columns are dropped, and as a last resort each line is cut.
struct TextTable {
    struct Column {
        var title: String
        var right = false
        /// Never wider than this (nil: as wide as the widest cell).
        var maxWidth: Int?
        /// Shrinks (down to `minWidth`) when the table is too wide; lower ranks first.
        var shrinkRank: Int?
        var minWidth = 4
        /// Left out when shrinking is not enough; lower ranks first.
        var dropRank: Int?
    }

    struct Cell: ExpressibleByStringLiteral {
        var text: String
        var paint: TerminalStyle.Paint?
        init(_ text: String, _ paint: TerminalStyle.Paint? = nil) {
            self.text = TextWidth.oneLine(text)
            self.paint = paint
        }
        init(stringLiteral value: String) { self.init(value) }
    }

    var columns: [Column]
    var rows: [[Cell]] = []
    var gap = 2

    mutating func add(_ row: [Cell]) { rows.append(row) }

    func render(_ style: TerminalStyle) -> [String] {
        let widths = fit(style.width)
        let shown = columns.indices.filter { widths[$0] > 0 }
        let header = shown.map { Cell(columns[$0].title, .bold) }
        return ([header] + rows.map { row in shown.map { row[$0] } }).map { cells in
            var line = ""
            var plainWidth = 0
            for (n, i) in shown.enumerated() {
                let last = n == shown.count - 1
                let text = TextWidth.truncate(cells[n].text, to: widths[i])
                let padded = last && !columns[i].right ? text : TextWidth.pad(text, to: widths[i], right: columns[i].right)
                if n > 0 {
                    line += String(repeating: " ", count: gap)
                    plainWidth += gap
                }
                // Cut at the terminal's edge (only when even minimum widths do not fit).
                let room = style.width - plainWidth
                let fitted = TextWidth.of(padded) > room ? TextWidth.truncate(padded, to: room) : padded
                line += style.paint(fitted, cells[n].paint)
                plainWidth += TextWidth.of(fitted)
                if plainWidth >= style.width { break }
            }
            return style.colour ? line : String(line.reversed().drop { $0 == " " }.reversed())
        }
    }

    /// The width of every column; 0 for a dropped one.
    func fit(_ total: Int) -> [Int] {
        var widths = columns.indices.map { i in
            let natural = ([TextWidth.of(columns[i].title)] + rows.map { TextWidth.of($0[i].text) }).max() ?? 0
            return min(natural, columns[i].maxWidth ?? natural)
        }
        func used() -> Int {
            let shown = widths.filter { $0 > 0 }
            return shown.reduce(0, +) + gap * max(0, shown.count - 1)
        }
        for i in columns.indices.filter({ columns[$0].shrinkRank != nil }).sorted(by: { columns[$0].shrinkRank! < columns[$1].shrinkRank! }) {
            let excess = used() - total
            if excess <= 0 { break }
            widths[i] = max(min(widths[i], columns[i].minWidth), widths[i] - excess)
        }
        for i in columns.indices.filter({ columns[$0].dropRank != nil }).sorted(by: { columns[$0].dropRank! < columns[$1].dropRank! }) {
            if used() <= total { break }
            widths[i] = 0
        }
        return widths
    }
}
