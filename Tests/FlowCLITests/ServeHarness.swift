import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// `flow serve` under test: the real binary on 127.0.0.1 with a free port, and a small HTTP/1.1
// client on plain sockets (so an event stream can be read as it arrives).

/// One answer: status, headers (names lowercased), body.
struct HTTPReply: CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    var jsonArray: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? [] }
    var description: String { "HTTP \(status) \(headers)\n\(body)" }
}

/// A running `flow serve`: its process and the port it announced.
struct Server {
    let process: FlowProcess
    let port: UInt16
    var token: String?

    /// Starts `flow serve --listen 127.0.0.1:0` in the sandbox and waits for `flow: serving URL`.
    static func start(_ sb: Sandbox, args: [String] = [], env: [String: String] = [:], token: String? = nil) async throws -> Server {
        let p = try sb.start(["serve", "--listen", "127.0.0.1:0"] + args, env: env)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let r = p.poll() { throw HarnessError("flow serve ended before serving: \(r)") }
            if let line = p.stderr.split(separator: "\n").first(where: { $0.hasPrefix("flow: serving http://127.0.0.1:") }),
               let port = UInt16(line.split(separator: ":").last ?? "") {
                return Server(process: p, port: port, token: token)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("flow serve did not announce its URL within 60 s: \(p.stderr)")
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await request("GET", path, headers: headers)
    }

    func post(_ path: String, _ body: String? = nil, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await request("POST", path, body: body, headers: headers)
    }

    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> HTTPReply {
        var h = headers
        if let token, h["Authorization"] == nil { h["Authorization"] = "Bearer \(token)" }
        let conn = try HTTPConnection(port: port)
        defer { conn.close() }
        try conn.send(method: method, path: path, headers: h, body: body)
        return try HTTPReply.parse(await conn.readAll())
    }

    /// Stops the server with SIGTERM; it must exit 0 promptly.
    func stop() async -> CLIResult {
        process.send(SIGTERM)
        return await process.wait(timeout: .seconds(30))
    }
}

/// A blocking TCP connection to 127.0.0.1 (receive timeout 60 s: it catches hangs only).
final class HTTPConnection: @unchecked Sendable {
    let fd: Int32
    private var closed = false

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var tv = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            throw HarnessError("connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close() }

    func close() {
        if !closed { closed = true; Glibc.close(fd) }
    }

    func send(method: String, path: String, headers: [String: String], body: String?) throws {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw HarnessError("write: errno \(errno)") }
            sent += n
        }
    }

    /// Reads what has arrived (waits until something does); nil at the end of the stream. The
    /// blocking read runs on a Dispatch thread, never on the Swift concurrency pool: tests run
    /// in parallel on 2 cores, and a read parked on one of its 2 threads starves every other
    /// test's tasks (gates then time out).
    func readSome() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var buf = [UInt8](repeating: 0, count: 65536)
                let n = buf.withUnsafeMutableBytes { read(self.fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    continuation.resume(throwing: HarnessError("read: errno \(errno) (timed out?)"))
                } else {
                    continuation.resume(returning: n == 0 ? nil : Array(buf[..<n]))
                }
            }
        }
    }

    func readAll() async throws -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try await readSome() { out += chunk }
        return out
    }
}

extension HTTPReply {
    static func parse(_ bytes: [UInt8]) throws -> HTTPReply {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw HarnessError("no HTTP head in: \(text)") }
        let head = text[..<split.lowerBound].split(separator: "\r\n").map(String.init)
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { throw HarnessError("bad status line: \(text)") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(text[split.upperBound...])
        if headers["transfer-encoding"]?.contains("chunked") == true { body = dechunk(body) }
        return HTTPReply(status: status, headers: headers, body: body)
    }

    /// Chunked transfer coding, undone on bytes ("\r\n" is one Character in a Swift String).
    static func dechunk(_ s: String) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            var j = i
            while j + 1 < b.count && !(b[j] == 13 && b[j + 1] == 10) { j += 1 }
            guard j + 1 < b.count, let size = Int(String(decoding: b[i..<j], as: UTF8.self), radix: 16), size > 0,
                  j + 2 + size <= b.count else { break }
            out += b[(j + 2)..<(j + 2 + size)]
            i = j + 2 + size + 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A workflow that runs one step, then waits for the signal `go` (its data is the result).
let waitForGo = """
    flow.exec{ cmd = "echo a >> effects", shell = true }
    local data = flow.signal("go", { timeout = 120 })
    flow.exec{ cmd = "echo b >> effects", shell = true }
    return data
    """

/// Every response carries these.
func expectSecurityHeaders(_ r: HTTPReply, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.headers["content-security-policy"]?.contains("default-src 'self'") == true, "\(r)", sourceLocation: sourceLocation)
    #expect(r.headers["x-content-type-options"] == "nosniff", "\(r)", sourceLocation: sourceLocation)
    #expect(r.headers["x-frame-options"] == "DENY", "\(r)", sourceLocation: sourceLocation)
    #expect(r.headers["referrer-policy"] == "no-referrer", "\(r)", sourceLocation: sourceLocation)
}

/// An error answer: the status, JSON {error, detail}.
func expectError(_ r: HTTPReply, _ status: Int, _ detailContains: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == status, "\(r)", sourceLocation: sourceLocation)
    #expect(r.headers["content-type"]?.hasPrefix("application/json") == true, "\(r)", sourceLocation: sourceLocation)
    #expect(r.json["error"] is String && r.json["detail"] is String, "\(r)", sourceLocation: sourceLocation)
    if !detailContains.isEmpty {
        #expect((r.json["detail"] as? String ?? "").contains(detailContains), "\(r)", sourceLocation: sourceLocation)
    }
    expectSecurityHeaders(r, sourceLocation: sourceLocation)
}
