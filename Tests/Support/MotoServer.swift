import AsyncHTTPClient
import Foundation
import Synchronization
import FlowAWS
#if canImport(Glibc)
import Glibc
#endif

/// A `moto_server` on 127.0.0.1, one per name for the whole test process, started on first use
/// and killed by PID at exit. Each test target (or suite) uses its own name, so one suite's reset
/// never wipes another's state; tests under one name run one at a time and reset first.
public final class MotoServer: Sendable {
    public let port: Int
    public let pid: Int32
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, pid: Int32) { self.port = port; self.pid = pid }

    private static let started = Mutex<[String: MotoServer]>([:])
    private static let livePIDs = Mutex<[Int32]>([])

    /// The server named `name`, reset to empty.
    public static func shared(_ name: String = "aws") async throws -> MotoServer {
        let server = try started.withLock { servers in
            if let current = servers[name] { return current }
            let s = try launch()
            servers[name] = s
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
        let first = livePIDs.withLock { pids in
            pids.append(process.processIdentifier)
            return pids.count == 1
        }
        if first {
            atexit {
                // moto_server ignores SIGTERM, and it holds nothing worth a clean shutdown.
                for pid in MotoServer.livePIDs.withLock({ $0 }) {
                    kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0)
                }
            }
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

    public func reset() async throws { _ = try await raw("POST", "/moto-api/reset") }

    /// ECS tasks would otherwise move towards STOPPED on every DescribeTasks (DESIGN.md).
    public func freezeECSTasks() async throws {
        _ = try await raw("POST", "/moto-api/state-manager/set-transition",
                          body: #"{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000000000}}"#)
    }

    @discardableResult
    public func raw(_ method: String, _ path: String, body: String? = nil) async throws -> String {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .init(rawValue: method)
        if let body { request.body = .bytes(Array(body.utf8)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code < 300 else { throw MotoError.status(Int(response.status.code)) }
        return String(buffer: bytes)
    }

    public static func freePort() throws -> Int {
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

    public static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

public enum MotoError: Error { case notStarted(Int), noPort, status(Int) }

public struct StaticCredentials: AWSCredentialsProvider {
    public var value: AWSCredentials
    public init(value: AWSCredentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing", source: "test")) {
        self.value = value
    }
    public func credentials() async throws -> AWSCredentials { value }
}

extension MotoServer {
    /// A client for moto; `region` shows any region works (Route53 always signs for us-east-1).
    public func client(region: String = "us-east-1", endpoint: String? = nil, retry: RetryPolicy = .default) -> AWSClient {
        let url = endpoint ?? self.endpoint
        return AWSClient(credentialsProvider: StaticCredentials(), resolver: { service in
            (url, service.isGlobal ? "us-east-1" : region)
        }, retryPolicy: retry)
    }
}

/// Runs `body` with a client and always shuts the client down.
@discardableResult
public func withClient<T>(_ client: AWSClient, _ body: (AWSClient) async throws -> T) async throws -> T {
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
