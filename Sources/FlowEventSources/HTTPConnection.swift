#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted connection on its own thread: reads one request within a deadline and a size
/// limit, answers, closes. Every receive waits at most 200 ms, so the deadline and the listener's
/// stop are noticed even from a client that sends nothing.
struct HTTPConnection {
    enum Read {
        case request(HTTPRequest)
        /// Answered without involving the consumer (bad request, too large, wrong path).
        case answer(HTTPResponse)
        /// The client went away or the listener stops: nothing to answer.
        case gone
    }

    let fd: Int32
    let maxBody: Int
    let deadline: ContinuousClock.Instant
    let stopping: @Sendable () -> Bool
    static let maxHead = 16 << 10

    init(fd: Int32, maxBody: Int, timeout: Duration, stopping: @escaping @Sendable () -> Bool) {
        self.fd = fd
        self.maxBody = maxBody
        self.deadline = .now + timeout
        self.stopping = stopping
        var slice = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, socklen_t(MemoryLayout<timeval>.size))
        var send = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send, socklen_t(MemoryLayout<timeval>.size))
    }

    func readRequest() -> Read {
        var data: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            switch receive(into: &data) {
            case .some(false): return .gone
            case nil: return .answer(.json(408, error: "the request did not arrive in time"))
            case .some(true): break
            }
            headEnd = Self.headEnd(in: data)
            if headEnd == nil, data.count > Self.maxHead {
                return .answer(.json(431, error: "the request head is larger than \(Self.maxHead) bytes"))
            }
        }
        guard let headEnd, let head = Self.parseHead(data[..<headEnd]) else {
            return .answer(.json(400, error: "not an HTTP/1.x request"))
        }
        if let refusal = HTTPPushRoute.refusal(method: head.method, path: head.path) { return .answer(refusal) }
        if head.headers["transfer-encoding"] != nil {
            return .answer(.json(411, error: "send the body with Content-Length; chunked encoding is not supported"))
        }
        guard let lengthText = head.headers["content-length"] else {
            return .answer(.json(411, error: "Content-Length is required"))
        }
        guard let length = Int(lengthText), length >= 0 else { return .answer(.json(400, error: "bad Content-Length")) }
        guard length <= maxBody else {
            return .answer(.json(413, error: "the body (\(length) bytes) is larger than the limit of \(maxBody) bytes"))
        }
        if head.headers["expect"]?.lowercased() == "100-continue" { write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        var body = Array(data[(headEnd + 4)...])
        while body.count < length {
            switch receive(into: &body) {
            case .some(false): return .gone
            case nil: return .answer(.json(408, error: "the body did not arrive in time"))
            case .some(true): break
            }
        }
        return .request(HTTPRequest(method: head.method, path: head.path, headers: head.headers, body: Array(body.prefix(length))))
    }

    /// true: bytes appended; false: closed or stopping; nil: past the deadline.
    private func receive(into data: inout [UInt8]) -> Bool? {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            if stopping() { return false }
            if ContinuousClock.now >= deadline { return nil }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { data += buffer[0..<n]; return true }
            if n == 0 { return false }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return false }
        }
    }

    func answer(_ response: HTTPResponse) {
        write(response.bytes())
        // Closing with unread input would reset the connection and could destroy the answer
        // before the client reads it (a 413 sent while the client still uploads): say we are
        // done, then read what is left for a moment.
        shutdown(fd, Int32(SHUT_WR))
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        let until = ContinuousClock.now + .milliseconds(500)
        while ContinuousClock.now < until, recv(fd, &buffer, buffer.count, 0) > 0 {}
    }

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    static func headEnd(in data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        return (0...(data.count - 4)).first { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) -> (method: String, path: String, headers: [String: String])? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingSpaces
        }
        let target = requestLine[1]
        return (String(requestLine[0]), String(target.prefix { $0 != "?" }), headers)
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[start...end])
    }
}
