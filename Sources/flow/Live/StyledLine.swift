/// A colour or weight for a piece of text, as SGR parameters; nothing is emitted without colour.
struct Style: Sendable, Equatable {
    var sgr: [Int]

    static let plain = Style(sgr: [])
    static let bold = Style(sgr: [1])
    static let dim = Style(sgr: [2])
    static let red = Style(sgr: [31])
    static let green = Style(sgr: [32])
    static let yellow = Style(sgr: [33])
    static let blue = Style(sgr: [34])
    static let cyan = Style(sgr: [36])
    static let boldRed = Style(sgr: [1, 31])
    static let boldGreen = Style(sgr: [1, 32])
    static let boldYellow = Style(sgr: [1, 33])
}

/// One line of the view: styled pieces of text, measured in terminal columns, cut to a width.
struct StyledLine: Sendable, Equatable {
    struct Span: Sendable, Equatable {
        var text: String
        var style: Style
    }

    private(set) var spans: [Span] = []

    init() {}

    init(_ text: String, _ style: Style = .plain) {
        append(text, style)
    }

    /// Appends `text` made safe for one terminal line.
    mutating func append(_ text: String, _ style: Style = .plain) {
        let clean = DisplayWidth.sanitize(text)
        if !clean.isEmpty { spans.append(Span(text: clean, style: style)) }
    }

    mutating func append(_ other: StyledLine) {
        spans += other.spans
    }

    var text: String { spans.map(\.text).joined() }
    var width: Int { spans.reduce(0) { $0 + DisplayWidth.of($1.text) } }

    /// At most `columns` columns; a line that was cut ends with "…" (or "..." without UTF-8).
    func cut(to columns: Int, unicode: Bool = true) -> StyledLine {
        guard width > columns else { return self }
        let ellipsis = unicode ? "…" : "..."
        let room = columns - DisplayWidth.of(ellipsis)
        guard room > 0 else { return StyledLine(String(repeating: ".", count: max(0, columns))) }
        var out = StyledLine()
        var used = 0
        for span in spans {
            var kept = ""
            for c in span.text {
                let w = DisplayWidth.of(c)
                if used + w > room { break }
                kept.append(c)
                used += w
            }
            if !kept.isEmpty { out.spans.append(Span(text: kept, style: span.style)) }
            if used >= room || kept.count < span.text.count { break }
        }
        out.spans.append(Span(text: ellipsis, style: .dim))
        return out
    }

    /// The text with SGR sequences when `color` is set.
    func render(color: Bool) -> String {
        guard color else { return text }
        var out = ""
        for span in spans {
            if span.style.sgr.isEmpty {
                out += span.text
            } else {
                out += "\u{1B}[" + span.style.sgr.map(String.init).joined(separator: ";") + "m" + span.text + "\u{1B}[0m"
            }
        }
        return out
    }
}
