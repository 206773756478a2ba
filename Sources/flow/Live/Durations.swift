import FlowEngine

/// Durations as the view shows them: "0.8s" for step times, "12s", "1m05s", "2h03m" for clocks.
enum Durations {
    /// Whole seconds (rounded down), for elapsed times that tick.
    static func clock(_ ms: Millis) -> String {
        let s = max(0, ms) / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + pad(s % 60) + "s" }
        return "\(s / 3600)h" + pad((s % 3600) / 60) + "m"
    }

    /// Whole seconds rounded up, for countdowns ("next in 4s" until it is due).
    static func countdown(_ ms: Millis) -> String {
        clock(((max(0, ms) + 999) / 1000) * 1000)
    }

    /// A tenth of a second under 10 s, then as `clock`.
    static func precise(_ ms: Millis) -> String {
        let ms = max(0, ms)
        if ms < 10_000 {
            let tenths = (ms + 50) / 100
            return "\(tenths / 10).\(tenths % 10)s"
        }
        return clock(ms)
    }

    private static func pad(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
