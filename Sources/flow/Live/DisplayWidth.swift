/// How many terminal columns text takes, and text made safe to put on one line of a
/// terminal: no control characters (a newline or an escape in a reason would break a redraw).
enum DisplayWidth {
    /// Columns of one character: 0 for combining marks and zero-width characters, 2 for East
    /// Asian wide and fullwidth characters and emoji, 1 otherwise.
    static func of(_ c: Character) -> Int {
        var width = 0
        for scalar in c.unicodeScalars {
            let v = scalar.value
            if v == 0xFE0F { width = max(width, 2); continue }  // emoji presentation
            width = max(width, of(scalar: v))
        }
        return min(width, 2)
    }

    static func of(_ s: String) -> Int {
        s.reduce(0) { $0 + of($1) }
    }

    private static func of(scalar v: UInt32) -> Int {
        if v == 0 || (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v)
            || (0x1AB0...0x1AFF).contains(v) || (0x20D0...0x20FF).contains(v) {
            return 0
        }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    /// `s` on one line: tabs and line breaks become spaces, other control characters (escape
    /// sequences included) are dropped.
    static func sanitize(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\t" {
                out.append(" ")
            } else if !isControl(scalar) {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value)
    }
}
