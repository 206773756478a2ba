import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 proxy on 127.0.0.1 in front of moto. Each request takes the next scripted fault;
/// once the script is used up requests are forwarded. One request per connection (it answers
/// `Connection: close`), so every attempt the client makes is one accepted connection here.
public final class FaultProxy: Sendable {
    public enum Fault: Sendable {
        case respond(status: Int, body: String, headers: [(String, String)] = [])
        /// Closes the connection without answering: the client sees a reset/closed connection.
        case drop
        /// Waits, then forwards; longer than the per-attempt timeout it becomes a timeout.
        case delay(Duration)
        /// Forwards (the upstream acts on the request), then sends the response's head and only
        /// the first `keepBodyBytes` of its body before closing: the body ends short of its
        /// Content-Length.
        case truncate(keepBodyBytes: Int)
        /// Forwards, sends the first `afterBytes` of the response, then resets the connection (RST).
        case reset(afterBytes: Int)
        /// Forwards, then answers with the body cut to `keepBodyBytes` and a Content-Length that
        /// matches it: a whole HTTP message whose XML or JSON is cut off.
        case garble(keepBodyBytes: Int)
        /// Answers with an AWS-style XML error (`code`) whose message is the request's head, as a
        /// careless endpoint might: headers, signature and session token included.
        case echoRequest(status: Int, code: String)
    }

    public let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let script: Mutex<[Fault]>
    /// Only requests holding these bytes take a fault; others are forwarded (nil: every request).
    private let only: [UInt8]?
    private let requestCount = Atomic<Int>(0)
    private let faultCount = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let done = Mutex<Bool>(false)

    public var endpoint: String { "http://127.0.0.1:\(port)" }
    /// Requests received so far: the client's attempts.
    public var requests: Int { requestCount.load(ordering: .sequentiallyConsistent) }
    /// Requests that took a fault from the script.
    public var faulted: Int { faultCount.load(ordering: .sequentiallyConsistent) }

    /// `only`: text a request must contain (in its head or body) to take the next fault, e.g. an
    /// operation name or a value in its body; other requests are forwarded untouched.
    public init(upstreamPort: Int, script: [Fault], only: String? = nil) throws {
        self.upstreamPort = upstreamPort
        self.script = Mutex(script)
        self.only = only.map { Array($0.utf8) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { close(fd); throw MotoError.noPort }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Closes the listener; the accept loop sees the error and ends.
    public func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func acceptLoop() {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let client = accept(listener, nil, nil)
            if client < 0 { if stopped.load(ordering: .sequentiallyConsistent) { return } else { continue } }
            // One thread per connection: a delayed attempt must not hold up the client's retry.
            Thread { [self] in
                handle(client)
                close(client)
            }.start()
        }
    }

    private func handle(_ client: Int32) {
        guard let request = Self.readRequest(client) else { return }
        requestCount.add(1, ordering: .sequentiallyConsistent)
        let applies = only.map { request.firstRange(of: $0) != nil } ?? true
        let fault: Fault? = applies ? script.withLock { $0.isEmpty ? nil : $0.removeFirst() } : nil
        if fault != nil { faultCount.add(1, ordering: .sequentiallyConsistent) }
        switch fault {
        case .respond(let status, let body, let headers)?:
            var head = "HTTP/1.1 \(status) Fault\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            for (n, v) in headers { head += "\(n): \(v)\r\n" }
            Self.writeAll(client, Array((head + "\r\n" + body).utf8))
        case .drop?:
            return
        case .delay(let d)?:
            Thread.sleep(forTimeInterval: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            forward(request, to: client)
        case .truncate(let keep)?:
            guard let response = fetch(request), let end = Self.headEnd(response) else { return }
            Self.writeAll(client, Array(response[..<min(response.count, end + keep)]))
        case .reset(let after)?:
            guard let response = fetch(request) else { return }
            Self.writeAll(client, Array(response.prefix(after)))
            // SO_LINGER 0: the close that follows sends RST instead of FIN.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .garble(let keep)?:
            guard let response = fetch(request), let end = Self.headEnd(response) else { return }
            let body = Array(response[end...].prefix(keep))
            let head = String(decoding: response[..<end], as: UTF8.self).split(separator: "\r\n")
                .filter { !$0.isEmpty && !$0.lowercased().hasPrefix("content-length:") && !$0.lowercased().hasPrefix("transfer-encoding:") }
                .joined(separator: "\r\n") + "\r\nContent-Length: \(body.count)\r\n\r\n"
            Self.writeAll(client, Array(head.utf8) + body)
        case .echoRequest(let status, let code)?:
            let head = String(decoding: request.prefix { $0 != 0 }, as: UTF8.self)
                .components(separatedBy: "\r\n\r\n").first ?? ""
            let escaped = head.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
            let body = "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>you sent: \(escaped)</Message></Error>"
                + "<RequestId>echo</RequestId></ErrorResponse>"
            let reply = "HTTP/1.1 \(status) Echo\r\nContent-Type: text/xml\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            Self.writeAll(client, Array(reply.utf8))
        case nil:
            forward(request, to: client)
        }
    }

    /// The upstream's whole response (it closes after each one), or nil when it cannot be reached.
    private func fetch(_ request: [UInt8]) -> [UInt8]? {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(upstream) }
        var addr = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        Self.writeAll(upstream, request)
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(upstream, &buffer, buffer.count)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return response
    }

    /// Where a response's body starts.
    private static func headEnd(_ response: [UInt8]) -> Int? {
        response.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound
    }

    private func forward(_ request: [UInt8], to client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(upstream) }
        var addr = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return }
        Self.writeAll(upstream, request)
        // moto (Werkzeug) closes after each response, so EOF ends it; bounded by moto's own timeouts.
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(upstream, &buffer, buffer.count)
            if n <= 0 { break }
            Self.writeAll(client, Array(buffer[0..<n]))
        }
    }

    /// Reads the head and a Content-Length body, rewriting nothing but `Connection`.
    private static func readRequest(_ fd: Int32) -> [UInt8]? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headEnd: Int?
        var total = Int.max
        while data.count < total {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return nil }
            data += buffer[0..<n]
            if headEnd == nil, let r = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = r.upperBound
                let head = String(decoding: data[0..<r.lowerBound], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                total = r.upperBound + length
            }
            if data.count > 16 << 20 { return nil }
        }
        guard let headEnd else { return nil }
        var head = String(decoding: data[0..<headEnd], as: UTF8.self)
        head = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.lowercased().hasPrefix("connection:") }.joined(separator: "\r\n")
        head = head.replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n")
        return Array(head.utf8) + data[headEnd...]
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
    }
}
