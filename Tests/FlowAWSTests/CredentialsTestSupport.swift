import Foundation
@testable import FlowAWS

/// A throwaway HOME with `.aws/credentials` and `.aws/config`, so no test reads the real one.
struct TemporaryHome {
    let path: String

    init(credentials: String? = nil, config: String? = nil) throws {
        path = NSTemporaryDirectory() + "flow-aws-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        if let credentials { try write(credentials, to: ".aws/credentials") }
        if let config { try write(config, to: ".aws/config") }
    }

    func write(_ text: String, to relative: String) throws {
        try text.write(toFile: path + "/" + relative, atomically: true, encoding: .utf8)
    }

    var environment: [String: String] { ["HOME": path, "PATH": "/usr/bin:/bin"] }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock tests move by hand, to step past an expiry without sleeping.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = ContinuousClock.now

    var now: ContinuousClock.Instant { lock.withLock { current } }
    func advance(by duration: Duration) { lock.withLock { current = current.advanced(by: duration) } }
}

/// Counts calls and hands out whatever the test scripted.
final class ScriptedProvider: AWSCredentialsProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private let make: @Sendable (Int) throws -> AWSCredentials
    private let delay: Duration

    init(delay: Duration = .zero, _ make: @escaping @Sendable (Int) throws -> AWSCredentials) {
        self.make = make
        self.delay = delay
    }

    var calls: Int { lock.withLock { count } }

    func credentials() async throws -> AWSCredentials {
        let n = lock.withLock { count += 1; return count }
        if delay > .zero { try await Task.sleep(for: delay) }
        return try make(n)
    }
}
