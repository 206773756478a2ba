import AsyncHTTPClient
import Foundation
import Synchronization
@testable import FlowAWS
#if canImport(Glibc)
import Glibc
#endif

/// One `moto_server` on 127.0.0.1 for the whole test process, started on first use and killed by
/// PID at exit; tests share it one at a time (the Moto suite is serialized) and reset it first.
final class MotoServer: Sendable {
    let port: Int
    let pid: Int32
    var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, pid: Int32) { self.port = port; self.pid = pid }

    private static let started = Mutex<MotoServer?>(nil)
    private static let livePID = Atomic<Int32>(0)

    /// The shared server, reset to empty.
    static func shared() async throws -> MotoServer {
        let server = try started.withLock { current in
            if let current { return current }
            let s = try launch()
            current = s
            return s
        }
        try await server.waitUntilUp()
        try await server.reset()
        return server
    }

    private static func launch() throws -> MotoServer {
        let port = try freePort()
        let process = Process()
        if let path = which("moto_server") {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        } else {
            process.executableURL = URL(fileURLWithPath: which("python3") ?? "/usr/bin/python3")
            process.arguments = ["-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        livePID.store(process.processIdentifier, ordering: .sequentiallyConsistent)
        atexit {
            let pid = MotoServer.livePID.load(ordering: .sequentiallyConsistent)
            // moto_server ignores SIGTERM, and it holds nothing worth a clean shutdown.
            if pid > 0 { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) }
        }
        return MotoServer(port: port, pid: process.processIdentifier)
    }

    /// Polls for at most 30 s: moto needs ~2 s to import its backends.
    private func waitUntilUp() async throws {
        for _ in 0..<300 {
            if (try? await raw("GET", "/moto-api/")) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MotoError.notStarted(port)
    }

    func reset() async throws { _ = try await raw("POST", "/moto-api/reset") }

    /// ECS tasks would otherwise move towards STOPPED on every DescribeTasks (DESIGN.md).
    func freezeECSTasks() async throws {
        _ = try await raw("POST", "/moto-api/state-manager/set-transition",
                          body: #"{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000000000}}"#)
    }

    @discardableResult
    func raw(_ method: String, _ path: String, body: String? = nil) async throws -> String {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .init(rawValue: method)
        if let body { request.body = .bytes(Array(body.utf8)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code < 300 else { throw MotoError.status(Int(response.status.code)) }
        return String(buffer: bytes)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { throw MotoError.noPort }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

enum MotoError: Error { case notStarted(Int), noPort, status(Int) }

struct StaticCredentials: AWSCredentialsProvider {
    var value = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing", source: "test")
    func credentials() async throws -> AWSCredentials { value }
}

extension MotoServer {
    /// A client for moto; `region` shows any region works (Route53 always signs for us-east-1).
    func client(region: String = "us-east-1", endpoint: String? = nil, retry: RetryPolicy = .default) -> AWSClient {
        let url = endpoint ?? self.endpoint
        return AWSClient(credentialsProvider: StaticCredentials(), resolver: { service in
            (url, service.isGlobal ? "us-east-1" : region)
        }, retryPolicy: retry)
    }
}

/// Runs `body` with a client and always shuts the client down.
@discardableResult
func withClient<T>(_ client: AWSClient, _ body: (AWSClient) async throws -> T) async throws -> T {
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
