/// The weights as a bar: `blue 90% ██████████████████▒▒ 10% green`, each set in its own colour
/// and its own glyph (so the bar reads without colour too).
enum Bar {
    static let styles: [Style] = [.blue, .green, .cyan, .yellow]
    static let glyphs = ["█", "▒", "░", "▓"]
    static let asciiGlyphs = ["#", "=", "-", "+"]

    /// The bar and its labels in at most `columns` columns; without room for a bar, the labels.
    static func line(_ weights: Weights, columns: Int, unicode: Bool, maxBar: Int = 40) -> StyledLine {
        let percents = weights.percents
        let labels = zip(weights.sets, percents).map { (name: $0.name, pct: "\($1)%") }
        var line = StyledLine()
        if labels.count == 2 {
            let left = "\(labels[0].name) \(labels[0].pct) ", right = " \(labels[1].pct) \(labels[1].name)"
            let room = min(maxBar, columns - DisplayWidth.of(left) - DisplayWidth.of(right))
            if room >= 8 {
                line.append(left, styles[0])
                line.append(cells(weights, width: room, unicode: unicode))
                line.append(right, styles[1])
                return line
            }
        } else {
            let legend = labels.map { "\($0.name) \($0.pct)" }.joined(separator: " | ")
            let room = min(maxBar, columns - DisplayWidth.of(legend) - 1)
            if room >= 8 {
                line.append(cells(weights, width: room, unicode: unicode))
                line.append(" ")
            }
        }
        for (i, label) in labels.enumerated() {
            if i > 0 { line.append(" | ", .dim) }
            line.append("\(label.name) \(label.pct)", styles[i % styles.count])
        }
        return line
    }

    /// `width` cells shared out by weight; all dots when every weight is 0.
    static func cells(_ weights: Weights, width: Int, unicode: Bool) -> StyledLine {
        let counts = Weights.apportion(weights.sets.map { max(0, $0.weight) }, into: width)
        var line = StyledLine()
        guard counts.reduce(0, +) > 0 else {
            line.append(String(repeating: unicode ? "·" : ".", count: width), .dim)
            return line
        }
        let glyphs = unicode ? glyphs : asciiGlyphs
        for (i, n) in counts.enumerated() where n > 0 {
            line.append(String(repeating: glyphs[i % glyphs.count], count: n), styles[i % styles.count])
        }
        return line
    }
}
