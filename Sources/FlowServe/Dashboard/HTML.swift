import FlowEngine
import FlowLua

/// Building HTML as text: every piece of data goes through `escape` (text and attribute
/// values alike), so a workflow name, a step's result or an error message can never become
/// markup. No inline scripts or styles anywhere: the Content-Security-Policy is `default-src 'self'`.
enum HTML {
    /// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline never reach the page.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// Percent-encodes a query or path component (ids are file names, but filters are free text).
    static func urlComponent(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// The whole document around `body`: one stylesheet and one deferred script, both served by flow.
    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <link rel="stylesheet" href="/dashboard.css">
        <script src="/dashboard.js" defer></script>
        </head>
        <body>
        <header class="top"><a href="/" class="brand">flow</a> <span class="sub">executions</span></header>
        \(body)
        </body>
        </html>

        """
    }

    /// `<span class="status status-NAME">NAME</span>`
    static func status(_ name: String) -> String {
        let cls = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" } ? name : "other"
        return "<span class=\"status status-\(cls)\">\(escape(name))</span>"
    }
}

/// Times and durations as the dashboard shows them: UTC, like `flow show`.
enum DashTime {
    /// "2026-11-26 16:32:49" (UTC).
    static func dateTime(_ m: Millis) -> String {
        let iso = WallClock.iso8601(m)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }

    /// "16:32:49"
    static func shortClock(_ m: Millis) -> String { String(WallClock.iso8601(m).dropFirst(11).prefix(8)) }

    /// "3 ms", "2.4 s", "4m05s", "2h03m", "3d04h".
    static func duration(_ millis: Millis) -> String {
        let ms = max(0, millis)
        if ms < 1000 { return "\(ms) ms" }
        if ms < 60_000 {
            let tenths = (ms + 50) / 100
            return "\(tenths / 10).\(tenths % 10) s"
        }
        let s = ms / 1000
        if s < 3600 { return "\(s / 60)m" + two(s % 60) + "s" }
        if s < 86_400 { return "\(s / 3600)h" + two(s / 60 % 60) + "m" }
        return "\(s / 86_400)d" + two(s / 3600 % 24) + "h"
    }

    private static func two(_ n: Millis) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Parses WallClock's "2026-11-26T16:32:49.123Z" (the only format ExecutionSummary uses).
    static func parse(_ iso: String) -> Millis? {
        let u = Array(iso.utf8)
        guard u.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + len) {
                guard i < u.count, u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int64(u[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2) else { return nil }
        let ms = u.count >= 23 ? (num(20, 3) ?? 0) : 0
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms
    }
}

/// A journaled value as a person reads it (FlowEngine's `ReadableValue`, as `flow show`).
enum DashValue {
    static func render(_ value: LuaValue) -> String { ReadableValue.render(value) }

    /// At most `limit` characters, cut with an ellipsis (the full text stays in a `title`).
    static func cut(_ s: String, _ limit: Int = 160) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }

    /// "blue 90 · green 10"
    static func weights(_ w: [String: Int]) -> String {
        w.keys.sorted().map { "\($0) \(w[$0]!)" }.joined(separator: " · ")
    }
}
