import FlowEngine
#if canImport(Glibc)
import Glibc
#endif

/// Times and durations as `flow show` prints them: absolute times in UTC (so a table reads the
/// same anywhere), durations relative and short.
enum TimeText {
    /// "16:32:49.123", or "11-27 00:00:01.500" when `withDate`.
    static func clock(_ millis: Millis, withDate: Bool = false) -> String {
        let iso = WallClock.iso8601(millis)            // 2026-11-26T16:32:49.123Z
        let time = iso.dropFirst(11).dropLast()
        return withDate ? String(iso.dropFirst(5).prefix(5)) + " " + time : String(time)
    }

    /// "2026-11-26"
    static func day(_ millis: Millis) -> Substring { WallClock.iso8601(millis).prefix(10) }

    /// "3 ms", "412 ms", "2.4 s", "59.9 s", "4m05s", "2h03m", "3d04h".
    static func duration(_ millis: Millis) -> String {
        let ms = max(0, millis)
        if ms < 1000 { return "\(ms) ms" }
        if ms < 60_000 { return seconds(ms) }
        let s = ms / 1000
        if s < 3600 { return "\(s / 60)m" + two(s % 60) + "s" }
        if s < 86_400 { return "\(s / 3600)h" + two(s / 60 % 60) + "m" }
        return "\(s / 86_400)d" + two(s / 3600 % 24) + "h"
    }

    /// "0.4 s", "2.0 s": one decimal, for backoffs ("retry in 2.0 s").
    static func seconds(_ millis: Millis) -> String {
        let tenths = (max(0, millis) + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }

    private static func two(_ n: Millis) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
