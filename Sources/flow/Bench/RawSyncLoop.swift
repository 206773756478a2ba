#if canImport(Glibc)
import Glibc
#endif

/// The floor flow's durable steps are compared with: a loop of one write(2) of `recordBytes`
/// appended to a file, then one fdatasync, `count` times. Flow does per step an intent record
/// (no sync) and a completed record followed by one fdatasync, so one write of both records' bytes
/// plus one fdatasync is the least any design with a durable record per step can do.
enum RawSyncLoop {
    /// Seconds for `count` iterations, in a new file at `path` (removed afterwards).
    static func run(path: String, recordBytes: Int, count: Int) throws -> Double {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchFailure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(path)
        }
        let record = [UInt8](repeating: 0x5a, count: max(recordBytes, 1))
        return try record.withUnsafeBytes { buffer in
            try BenchClock.time {
                for _ in 0..<count {
                    try writeAll(fd, buffer, path: path)
                    guard fdatasync(fd) == 0 else {
                        throw BenchFailure("fdatasync \(path): \(String(cString: strerror(errno)))")
                    }
                }
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw BenchFailure("write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
