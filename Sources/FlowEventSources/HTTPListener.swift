#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A blocking HTTP/1.1 listener: one thread accepts (waking every 100 ms to notice `stop`), one
/// thread per connection reads the request and calls `handle`, which may block until the consumer
/// has dealt with it. Connections beyond the limit are answered 503 at once.
final class HTTPListener: @unchecked Sendable {
    typealias Handler = @Sendable (_ request: HTTPRequest, _ peer: String) -> HTTPResponse

    let port: Int
    private let fd: Int32
    private let maxBody: Int
    private let readTimeout: Duration
    private let maxConnections: Int
    private let handle: Handler
    private let lock = NSLock()
    private var stopping = false
    private var connections = 0
    private let acceptEnded = DispatchSemaphore(value: 0)

    /// `host`: 127.0.0.1, localhost, ::1, or (when the caller allowed it) any numeric address.
    init(host: String, port: Int, maxBody: Int, readTimeout: Duration, maxConnections: Int, handle: @escaping Handler) throws {
        let where_ = "http:\(host):\(port)"
        let ipv6 = host.contains(":")
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EventSourceError(.cannotListen, "socket() failed: \(Self.errorText())", location: where_) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int? = ipv6 ? Self.bind6(fd, host, port) : Self.bind4(fd, host == "localhost" ? "127.0.0.1" : host, port)
        guard let bound, listen(fd, 64) == 0 else {
            let reason = Self.errorText()
            close(fd)
            throw EventSourceError(.cannotListen, "cannot listen: \(reason)", location: where_)
        }
        self.fd = fd
        self.port = bound
        self.maxBody = maxBody
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
        self.handle = handle
        Thread { [self] in acceptLoop() }.start()
    }

    var isStopping: Bool { lock.withLock { stopping } }

    /// Stops accepting (connections in progress see `isStopping` and end) and closes the socket
    /// once the accept thread is gone, so its descriptor cannot be reused under it.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        _ = acceptEnded.wait(timeout: .now() + 2)
        close(fd)
    }

    private func acceptLoop() {
        defer { acceptEnded.signal() }
        while !isStopping {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let connection = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(fd, $0, &length) }
            }
            guard connection >= 0 else { continue }
            let peer = Self.describe(address)
            let admitted = lock.withLock { () -> Bool in
                guard connections < maxConnections else { return false }
                connections += 1
                return true
            }
            guard admitted else {
                let conn = HTTPConnection(fd: connection, maxBody: maxBody, timeout: .seconds(1), stopping: { true })
                conn.answer(.json(503, error: "too many connections; try again"))
                close(connection)
                continue
            }
            Thread { [self] in
                serve(connection, peer: peer)
                close(connection)
                lock.withLock { connections -= 1 }
            }.start()
        }
    }

    private func serve(_ fd: Int32, peer: String) {
        let connection = HTTPConnection(fd: fd, maxBody: maxBody, timeout: readTimeout, stopping: { [self] in isStopping })
        switch connection.readRequest() {
        case .gone: return
        case .answer(let response): connection.answer(response)
        case .request(let request): connection.answer(handle(request, peer))
        }
    }

    static func isNumericAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    private static func bind4(_ fd: Int32, _ host: String, _ port: Int) -> Int? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    private static func bind6(_ fd: Int32, _ host: String, _ port: Int) -> Int? {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin6_port)) : nil
    }

    /// "127.0.0.1:54321" or "[::1]:54321".
    static func describe(_ storage: sockaddr_storage) -> String {
        var storage = storage
        let raw = withUnsafeBytes(of: &storage) { Array($0) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let address: String, port: UInt16
        if storage.ss_family == sa_family_t(AF_INET6) {
            var a = raw.withUnsafeBytes { $0.loadUnaligned(as: sockaddr_in6.self) }
            inet_ntop(AF_INET6, &a.sin6_addr, &text, socklen_t(text.count))
            address = "[\(cString(text))]"
            port = UInt16(bigEndian: a.sin6_port)
        } else {
            var a = raw.withUnsafeBytes { $0.loadUnaligned(as: sockaddr_in.self) }
            inet_ntop(AF_INET, &a.sin_addr, &text, socklen_t(text.count))
            address = cString(text)
            port = UInt16(bigEndian: a.sin_port)
        }
        return "\(address):\(port)"
    }

    static func cString(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func errorText() -> String {
        guard let message = strerror(errno) else { return "errno \(errno)" }
        return String(decoding: UnsafeRawBufferPointer(start: message, count: strlen(message)), as: UTF8.self)
    }
}
