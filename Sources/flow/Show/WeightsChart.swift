import FlowEngine

/// The traffic weights over time: one line per change (or read) of the weights, with each
/// set's weight and a bar of the traffic shares. Sets keep one glyph each (░ █ ▒ ▓) so the
/// bar reads without colour; with colour, `blue` and `green` are painted so.
enum WeightsChart {
    static let glyphs: [Character] = ["░", "█", "▒", "▓", "=", "#"]
    static let maxBar = 40
    static let minBar = 10

    static func render(_ t: ExecutionTimeline, style: TerminalStyle) -> [String] {
        let points = t.weights
        guard !points.isEmpty else { return ["(no step read or set traffic weights)"] }
        let sets = Array(Set(points.flatMap { $0.weights.keys })).sorted()
        let withDate = TimeText.day(t.startedAt) != TimeText.day(t.lastEventAt)

        func table(stepColumn: Bool) -> TextTable {
            var columns: [TextTable.Column] = [.init(title: "TIME (UTC)", dropRank: 1)]
            if stepColumn { columns.append(.init(title: "STEP", maxWidth: 32, shrinkRank: 1, minWidth: 8)) }
            columns += sets.map { .init(title: $0, right: true, maxWidth: 12) }
            var table = TextTable(columns: columns)
            for p in points {
                var row: [TextTable.Cell] = [.init(TimeText.clock(p.at, withDate: withDate))]
                if stepColumn { row.append(.init(label(p), p.source == .restored ? .cyan : nil)) }
                row += sets.map { .init(p.weights[$0].map(String.init) ?? "-") }
                table.add(row)
            }
            return table
        }

        // The bar takes what the text columns leave, up to 40; without room, the step names go first.
        for stepColumn in [true, false] {
            let text = table(stepColumn: stepColumn)
            let widths = text.fit(style.width).filter { $0 > 0 }
            let room = style.width - widths.reduce(0, +) - text.gap * widths.count
            guard room >= minBar || !stepColumn else { continue }
            let width = room >= minBar ? min(maxBar, room) : 0
            var narrow = style
            if width > 0 { narrow.width = style.width - width - text.gap }
            var lines = text.render(narrow)
            guard width > 0 else { return lines }
            for (i, p) in points.enumerated() {
                lines[i + 1] += String(repeating: " ", count: text.gap) + bar(p.weights, sets: sets, width: width, style: style)
            }
            let plain = "legend: " + sets.enumerated().map { i, s in "\(glyph(i)) \(s)" }.joined(separator: "  ")
            let legend = sets.enumerated().map { i, s in style.paint(String(glyph(i)), paint(i, set: s)) + " " + s }
            lines.append(TextWidth.of(plain) <= style.width ? "legend: " + legend.joined(separator: "  ") : TextWidth.truncate(plain, to: style.width))
            return lines
        }
        return []
    }

    static func label(_ p: ExecutionTimeline.WeightsPoint) -> String {
        let how = switch p.source { case .observed: "read by"; case .set: "set by"; case .restored: "restored by" }
        return "\(how) #\(p.seq) \(p.step)"
    }

    /// `width` cells shared out by weight (largest remainder), one glyph per set.
    static func bar(_ weights: [String: Int], sets: [String], width: Int, style: TerminalStyle) -> String {
        let total = sets.reduce(0) { $0 + (weights[$1] ?? 0) }
        guard total > 0 else { return TextWidth.pad(TextWidth.truncate("(no traffic)", to: width), to: width) }
        var cells = sets.map { (weights[$0] ?? 0) * width / total }
        let order = sets.indices.sorted { ((weights[sets[$0]] ?? 0) * width % total) > ((weights[sets[$1]] ?? 0) * width % total) }
        var left = width - cells.reduce(0, +)
        for i in order where left > 0 {
            cells[i] += 1
            left -= 1
        }
        return sets.indices.map { i in
            style.paint(String(repeating: String(glyph(i)), count: cells[i]), paint(i, set: sets[i]))
        }.joined()
    }

    static func glyph(_ i: Int) -> Character { glyphs[i % glyphs.count] }

    static func paint(_ i: Int, set: String) -> TerminalStyle.Paint {
        switch set.lowercased() {
        case "blue": .blue
        case "green": .green
        default: [TerminalStyle.Paint.blue, .green, .yellow, .cyan][i % 4]
        }
    }
}
