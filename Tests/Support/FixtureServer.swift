import AsyncHTTPClient
import Foundation
import Synchronization
import FlowAWS
#if canImport(Glibc)
import Glibc
#endif

/// The strict AWS fixture (`scripts/fixture/flowfixture.py`, documented in its README.md): moto
/// in-process behind a layer that behaves like real AWS where moto is lenient (atomic, validated
/// Route53 batches; changes PENDING then INSYNC; settable target health; ListTasks by service),
/// plus fault injection, a request log, seeding of a blue/green world and two demo apps.
///
/// Started with `python3 flowfixture.py --port 0 --exit-on-stdin-eof`: the fixture exits when
/// its stdin closes, so even a test process killed with SIGKILL leaves nothing behind; `stop()`
/// and an `atexit` handler end it by PID as well. Every wait is bounded.
public final class FixtureServer: Sendable {
    /// The AWS endpoint, e.g. "http://127.0.0.1:PORT".
    public let endpoint: String
    public let pid: Int32
    /// "blue" and "green" app URLs when started with `apps: true`; empty otherwise.
    public let appURLs: [String: String]
    private let child: ChildProcess

    private init(endpoint: String, pid: Int32, appURLs: [String: String], child: ChildProcess) {
        self.endpoint = endpoint
        self.pid = pid
        self.appURLs = appURLs
        self.child = child
    }

    private static let livePIDs = Mutex<[Int32]>([])
    private static let named = Mutex<[String: Task<FixtureServer, any Error>]>([:])

    /// The repository root, found from this file's path (Tests/Support/FixtureServer.swift).
    public static func packageRoot(file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The fixture named `name`, one per name for the whole test process, started on first use
    /// and reset to empty on every call (as `MotoServer.shared` is). A name's first caller decides
    /// `apps` and `pendingSeconds`.
    public static func shared(_ name: String = "fixture", apps: Bool = false, pendingSeconds: Double = 0.3) async throws -> FixtureServer {
        let task = named.withLock { servers in
            if let running = servers[name] { return running }
            let starting = Task { try await start(apps: apps, pendingSeconds: pendingSeconds) }
            servers[name] = starting
            return starting
        }
        let server: FixtureServer
        do {
            server = try await task.value
        } catch {
            // Let the next caller try again rather than inherit one failed start forever.
            named.withLock { servers in _ = servers.removeValue(forKey: name) }
            throw error
        }
        try await server.reset()
        return server
    }

    /// Launches a new fixture and waits (at most `timeout`) for its one JSON line.
    public static func start(apps: Bool = false, pendingSeconds: Double = 0.3,
                             timeout: Duration = .seconds(30)) async throws -> FixtureServer {
        let script = packageRoot().appendingPathComponent("scripts/fixture/flowfixture.py").path
        guard FileManager.default.fileExists(atPath: script) else { throw FixtureError.scriptMissing(script) }
        var arguments = [script, "--port", "0", "--pending-seconds", "\(pendingSeconds)", "--exit-on-stdin-eof"]
        if apps { arguments.append("--apps") }
        let child = try ChildProcess.launch(MotoServer.which("python3") ?? "/usr/bin/python3", arguments)
        let first = livePIDs.withLock { pids in
            pids.append(child.pid)
            return pids.count == 1
        }
        if first {
            atexit {
                for pid in FixtureServer.livePIDs.withLock({ $0 }) { ChildProcess.terminate(pid: pid, grace: 1.0) }
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let line = child.firstLine() {
                guard let started = try? JSONDecoder().decode(StartLine.self, from: Data(line.utf8)) else {
                    await forget(child)
                    throw FixtureError.notStarted("unexpected first line: \(line)\n\(child.stderrTail())")
                }
                return FixtureServer(endpoint: started.endpoint, pid: child.pid, appURLs: started.apps ?? [:], child: child)
            }
            if child.stdoutClosed {
                await forget(child)
                throw FixtureError.notStarted("the fixture exited before it listened:\n\(child.stderrTail())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        await forget(child)
        throw FixtureError.notStarted("no endpoint line within \(timeout):\n\(child.stderrTail())")
    }

    private static func forget(_ child: ChildProcess) async {
        await child.stop()
        livePIDs.withLock { pids in pids.removeAll { $0 == child.pid } }
    }

    private struct StartLine: Decodable {
        var endpoint: String
        var pid: Int32
        var apps: [String: String]?
    }

    /// Ends the fixture: closes its stdin, sends SIGTERM, waits up to 5 s, then SIGKILL.
    public func stop() async {
        await Self.forget(child)
    }

    // MARK: Control API

    /// moto's state and all of the fixture's back to how it started.
    public func reset() async throws { _ = try await control("POST", "/_fixture/reset") }

    /// Seeds the blue/green world (see the README); returns every id a workflow needs.
    public func seed(region: String = "us-east-1", zone: String = "example.com", record: String? = nil,
                     recordType: String = "alias", weights: (blue: Int, green: Int) = (100, 0),
                     cluster: String = "flow-demo", tasksPerService: Int = 2) async throws -> FixtureSeed {
        let body: [String: Any?] = [
            "region": region, "zone": zone, "record": record, "record_type": recordType,
            "weights": ["blue": weights.blue, "green": weights.green], "cluster": cluster,
            "tasks_per_service": tasksPerService,
        ]
        let data = try await control("POST", "/_fixture/seed", json: body, timeout: .seconds(120))
        return try JSONDecoder().decode(FixtureSeed.self, from: data)
    }

    /// Overrides DescribeTargetHealth for a target group (or one target of it); `state` nil clears.
    public func setTargetHealth(targetGroupArn: String, state: String?, reason: String? = nil,
                                description: String? = nil, targetID: String? = nil) async throws {
        _ = try await control("POST", "/_fixture/target-health", json: [
            "target_group_arn": targetGroupArn, "state": state as Any?, "reason": reason, "description": description,
            "target_id": targetID,
        ], keepNulls: ["state"])
    }

    /// Makes every DescribeTargetHealth of the group probe `url` (GET, 200 = healthy); nil unlinks.
    public func linkTargetHealth(targetGroupArn: String, url: String?) async throws {
        _ = try await control("POST", "/_fixture/target-health-url",
                              json: ["target_group_arn": targetGroupArn, "url": url as Any?], keepNulls: ["url"])
    }

    /// The next `count` requests to `service` (signing name or alias: route53, ecs, elbv2,
    /// cloudwatch, ...) and `operation` (any when nil) fail with `status`/`code` in the protocol's
    /// own error shape; `code` nil means Throttling (XML) or ThrottlingException (JSON). A
    /// `delayMs` alone delays and passes through; `drop` closes the connection unanswered.
    public func injectFault(service: String, operation: String? = nil, count: Int = 1, status: Int? = nil,
                            code: String? = nil, message: String? = nil, delayMs: Int? = nil, drop: Bool = false) async throws {
        _ = try await control("POST", "/_fixture/faults", json: [
            "service": service, "operation": operation, "count": count, "status": status, "code": code,
            "message": message, "delay_ms": delayMs, "drop": drop ? true : nil,
        ])
    }

    public func clearFaults() async throws { _ = try await control("DELETE", "/_fixture/faults") }

    /// How long changes made from now on stay PENDING.
    public func setPendingSeconds(_ seconds: Double) async throws {
        _ = try await control("POST", "/_fixture/config", json: ["pending_seconds": seconds])
    }

    /// Changes a demo app's answers (`status` for / and /health).
    public func setApp(name: String, status: Int? = nil, latencyMs: Int? = nil, failAfter: Int? = nil) async throws {
        _ = try await control("POST", "/_fixture/app", json: [
            "name": name, "status": status, "latency_ms": latencyMs, "fail_after": failAfter,
        ])
    }

    /// Sets an ECS task's lastStatus now, or after `afterSeconds` (applied before the next ECS call).
    public func setTaskStatus(task: String, lastStatus: String, afterSeconds: Double? = nil, reason: String? = nil) async throws {
        _ = try await control("POST", "/_fixture/task-status", json: [
            "task": task, "last_status": lastStatus, "after_seconds": afterSeconds, "reason": reason,
        ])
    }

    /// Sets a CloudWatch alarm's state (moto never evaluates alarms): OK, ALARM or INSUFFICIENT_DATA.
    public func setAlarmState(name: String, state: String, region: String = "us-east-1", reason: String? = nil) async throws {
        _ = try await control("POST", "/_fixture/alarm", json: ["name": name, "state": state, "region": region, "reason": reason])
    }

    /// Whether task state changes put "ECS Task State Change" events on the default bus (on after a reset).
    public func setECSEvents(enabled: Bool) async throws {
        _ = try await control("POST", "/_fixture/ecs-events", json: ["enabled": enabled])
    }

    /// The AWS requests answered since the last reset (seeding excluded), oldest first.
    public func requests(service: String? = nil, operation: String? = nil) async throws -> [FixtureRequest] {
        var query: [String] = []
        if let service { query.append("service=\(Self.escape(service))") }
        if let operation { query.append("operation=\(Self.escape(operation))") }
        let path = "/_fixture/requests" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        struct Out: Decodable { var requests: [FixtureRequest] }
        return try JSONDecoder().decode(Out.self, from: try await control("GET", path)).requests
    }

    /// A client for the fixture, signing for `region` (Route53 for us-east-1).
    public func client(region: String = "us-east-1", retry: RetryPolicy = .default) -> AWSClient {
        let url = endpoint
        return AWSClient(credentialsProvider: StaticCredentials(), resolver: { service in
            (url, service.isGlobal ? "us-east-1" : region)
        }, retryPolicy: retry)
    }

    /// One control call; nil values are left out of the JSON body unless named in `keepNulls`.
    @discardableResult
    public func control(_ method: String, _ path: String, json: [String: Any?]? = nil, keepNulls: Set<String> = [],
                        timeout: Duration = .seconds(15)) async throws -> Data {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .init(rawValue: method)
        if let json {
            var object: [String: Any] = [:]
            for (key, value) in json {
                if let value { object[key] = value } else if keepNulls.contains(key) { object[key] = NSNull() }
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(Array(try JSONSerialization.data(withJSONObject: object)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        let data = Data(bytes.readableBytesView)
        guard response.status.code < 300 else {
            let message = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String
            throw FixtureError.control(path: path, status: Int(response.status.code),
                                       message: message ?? String(decoding: data, as: UTF8.self))
        }
        return data
    }

    private static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case scriptMissing(String)
    case notStarted(String)
    case control(path: String, status: Int, message: String)

    public var description: String {
        switch self {
        case .scriptMissing(let path): "the fixture script is missing: \(path)"
        case .notStarted(let why): "the fixture did not start: \(why)"
        case .control(let path, let status, let message): "fixture \(path) answered \(status): \(message)"
        }
    }
}

/// What `POST /_fixture/seed` made: every id, ARN and name a rollout workflow needs.
public struct FixtureSeed: Decodable, Sendable {
    public struct Side: Decodable, Sendable {
        /// The weighted record's SetIdentifier ("blue" / "green").
        public var set: String
        public var albArn: String
        public var albName: String
        public var albDNS: String
        public var albZoneID: String
        public var tgArn: String
        public var tgName: String
        public var service: String
        public var serviceArn: String
        /// "family:revision", e.g. "green:1".
        public var taskDefinition: String
        public var taskDefinitionArn: String
        public var container: String
        public var taskArns: [String]
        /// The registered target ids (the tasks' IPs).
        public var targets: [String]
        /// The demo app's URL (with apps), else nil.
        public var url: String?
        public var weight: Int

        enum CodingKeys: String, CodingKey {
            case set, service, container, targets, url, weight
            case albArn = "alb_arn", albName = "alb_name", albDNS = "alb_dns", albZoneID = "alb_zone_id"
            case tgArn = "tg_arn", tgName = "tg_name", serviceArn = "service_arn"
            case taskDefinition = "task_definition", taskDefinitionArn = "task_definition_arn", taskArns = "task_arns"
        }
    }

    public var region: String
    /// Without the "/hostedzone/" prefix.
    public var zoneID: String
    /// With the trailing dot.
    public var zoneName: String
    /// With the trailing dot.
    public var record: String
    /// "alias" or "cname".
    public var recordType: String
    public var changeID: String
    public var blue: Side
    public var green: Side
    public var cluster: String
    public var clusterArn: String
    public var vpcID: String
    public var subnets: [String]
    public var securityGroup: String
    public var alarms: [String]

    public func side(_ name: String) -> Side? { name == "blue" ? blue : name == "green" ? green : nil }

    enum CodingKeys: String, CodingKey {
        case region, record, blue, green, cluster, subnets, alarms
        case zoneID = "zone_id", zoneName = "zone_name", recordType = "record_type", changeID = "change_id"
        case clusterArn = "cluster_arn", vpcID = "vpc_id", securityGroup = "security_group"
    }
}

/// One entry of the fixture's request log.
public struct FixtureRequest: Decodable, Sendable {
    /// A Route53 change as the request named it.
    public struct Change: Decodable, Sendable {
        public var action: String
        public var name: String
        public var type: String
        public var setIdentifier: String?
        public var weight: Int?
        public var ttl: Int?
        public var values: [String]?
        public var aliasDNSName: String?

        enum CodingKeys: String, CodingKey {
            case action, name, type, weight, ttl, values
            case setIdentifier = "set_identifier", aliasDNSName = "alias_dns_name"
        }
    }

    /// The injected fault that answered the request.
    public struct Fault: Decodable, Sendable {
        public var id: Int
        public var status: Int?
        public var code: String?
        public var delayMs: Double
        public var drop: Bool

        enum CodingKeys: String, CodingKey { case id, status, code, drop, delayMs = "delay_ms" }
    }

    public var seq: Int
    public var time: Double
    /// The SigV4 signing name: route53, ecs, elasticloadbalancing, monitoring, ...
    public var service: String
    public var operation: String
    public var region: String
    public var method: String
    public var path: String
    /// nil when the connection was dropped.
    public var status: Int?
    /// The error code of a failed request.
    public var error: String?
    public var durationMs: Double?
    public var changes: [Change]?
    public var changeID: String?
    public var zoneID: String?
    public var targetGroupArn: String?
    public var fault: Fault?

    enum CodingKeys: String, CodingKey {
        case seq, time, service, operation, region, method, path, status, error, changes, fault
        case durationMs = "duration_ms", changeID = "change_id", zoneID = "zone_id", targetGroupArn = "target_group_arn"
    }
}

/// The fixture's process and the threads draining its output: stdout's first line is the
/// endpoint; stderr's last 16 KiB are kept for error messages. Holding `stdinPipe` open keeps
/// the fixture alive (`--exit-on-stdin-eof`).
private final class ChildProcess: @unchecked Sendable {
    let pid: Int32
    private let process: Process
    private let stdinPipe: Pipe
    private let lock = NSLock()
    private var stdoutBuffer = Data()
    private var line: String?
    private var stdoutEOF = false
    private var stderrBuffer = Data()
    private var stopped = false

    private init(process: Process, stdinPipe: Pipe) {
        self.process = process
        self.stdinPipe = stdinPipe
        self.pid = process.processIdentifier
    }

    static func launch(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let child = ChildProcess(process: process, stdinPipe: stdin)
        let out = stdout.fileHandleForReading, err = stderr.fileHandleForReading
        Thread.detachNewThread { child.drain(out, isStdout: true) }
        Thread.detachNewThread { child.drain(err, isStdout: false) }
        return child
    }

    /// Reads until EOF (the fixture exited), so the fixture never blocks on a full pipe.
    private func drain(_ handle: FileHandle, isStdout: Bool) {
        while true {
            let chunk = handle.availableData
            lock.lock()
            if chunk.isEmpty {
                if isStdout { stdoutEOF = true }
                lock.unlock()
                return
            }
            if isStdout {
                if line == nil {
                    stdoutBuffer.append(chunk)
                    if let newline = stdoutBuffer.firstIndex(of: UInt8(ascii: "\n")) {
                        line = String(decoding: stdoutBuffer[..<newline], as: UTF8.self)
                        stdoutBuffer = Data()
                    }
                }
            } else {
                stderrBuffer.append(chunk)
                if stderrBuffer.count > 16 << 10 { stderrBuffer = stderrBuffer.suffix(16 << 10) }
            }
            lock.unlock()
        }
    }

    func firstLine() -> String? { lock.withLock { line } }
    var stdoutClosed: Bool { lock.withLock { stdoutEOF } }
    func stderrTail() -> String { lock.withLock { String(decoding: stderrBuffer, as: UTF8.self) } }

    /// Closes stdin, sends SIGTERM, waits up to 5 s for the exit, then SIGKILL.
    func stop() async {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        try? stdinPipe.fileHandleForWriting.close()
        kill(pid, SIGTERM)
        for _ in 0..<250 {
            if !process.isRunning { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// For `atexit`, where nothing async runs: SIGTERM, a short grace, then SIGKILL.
    static func terminate(pid: Int32, grace: Double) {
        guard kill(pid, 0) == 0 else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<Int(grace * 50) {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || reaped < 0 { return }  // exited, or reaped by Foundation already
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}
