#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines from a descriptor without blocking a thread of the concurrency pool: it reads only
/// what `poll` says is there and otherwise sleeps (cancellably) for a few milliseconds, so a
/// quiet pipe costs nothing and cancellation is noticed within 50 ms.
final class LineReader: @unchecked Sendable {
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let name: String
    private let maxLine: Int
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var atEOF = false
    private var lineNumber = 0

    init(path: String, maxLine: Int) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EventSourceError(.unreadable, "cannot open: \(HTTPListener.errorText())", location: "file:\(path)")
        }
        self.fd = fd
        ownsDescriptor = true
        name = "file:\(path)"
        self.maxLine = maxLine
    }

    init(descriptor: Int32, name: String, maxLine: Int) {
        fd = descriptor
        ownsDescriptor = false
        self.name = name
        self.maxLine = maxLine
    }

    func closeDescriptor() { if ownsDescriptor { close(fd) } }

    /// The next line without its "\n", or nil at EOF (a last line without "\n" counts).
    func next() async throws -> [UInt8]? {
        var idle = Duration.milliseconds(1)
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                guard newline <= maxLine else { throw tooLong() }
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                scanned = 0
                lineNumber += 1
                return line
            }
            scanned = buffer.count
            if buffer.count > maxLine { throw tooLong() }
            if atEOF {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = []; scanned = 0 }
                lineNumber += 1
                return buffer
            }
            try Task.checkCancellation()
            if try readAvailable() {
                idle = .milliseconds(1)
            } else {
                try await Task.sleep(for: idle)
                idle = min(idle * 2, .milliseconds(50))
            }
        }
    }

    private func tooLong() -> EventSourceError {
        EventSourceError(.badEvent, "line \(lineNumber + 1) is longer than \(maxLine) bytes", location: "\(name):\(lineNumber + 1)")
    }

    /// true when bytes came or EOF was reached; false when nothing is there yet.
    private func readAvailable() throws -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = read(fd, &chunk, chunk.count)
        if n > 0 { buffer += chunk[0..<n]; return true }
        if n == 0 { atEOF = true; return true }
        if errno == EAGAIN || errno == EINTR { return false }
        throw EventSourceError(.unreadable, "read failed: \(HTTPListener.errorText())", location: name)
    }
}
