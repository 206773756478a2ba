#if canImport(Glibc)
import Glibc
#endif

/// The wall clock in journal units. Deadlines are absolute wall-clock times so that a resumed
/// execution waits only for what is left, even in another process after a reboot.
public enum WallClock {
    public static func now() -> Millis {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Millis(ts.tv_sec) * 1000 + Millis(ts.tv_nsec) / 1_000_000
    }

    /// "2026-11-26T16:32:49.123Z"
    public static func iso8601(_ millis: Millis) -> String {
        var t = time_t(millis / 1000)
        var tm = tm()
        gmtime_r(&t, &tm)
        func p(_ v: Int32, _ w: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let ms = Int32(millis % 1000)
        return "\(p(tm.tm_year + 1900, 4))-\(p(tm.tm_mon + 1))-\(p(tm.tm_mday))T\(p(tm.tm_hour)):\(p(tm.tm_min)):\(p(tm.tm_sec)).\(p(ms, 3))Z"
    }

    public static var hostName: String {
        var buf = [UInt8](repeating: 0, count: 256)
        buf.withUnsafeMutableBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: 255) { _ = gethostname($0, 255) }
        }
        return String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
    }
}
