#if canImport(Glibc)
import Glibc
#endif

/// Output: data on stdout, progress and errors on stderr (so `id=$(flow run x.lua)` works).
/// Whole lines go out in one write(2) each, so lines from concurrent runs never interleave.
enum Console {
    static func out(_ line: String) { write(fd: 1, line + "\n") }

    static func info(_ line: String) { write(fd: 2, line + "\n") }

    static func error(_ line: String) { write(fd: 2, "flow: error: " + line + "\n") }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}
