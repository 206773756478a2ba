import Foundation
import FlowLua
import FlowWAL
@testable import FlowEngine

/// Runs workflows in-process against a real home in a temporary directory: real Lua, real WAL,
/// real fsync. Crashes are simulated by copying a prefix of a journal into a new execution,
/// which is exactly what a process killed after that record leaves behind.
final class WorkflowHarness: @unchecked Sendable {
    let root: String
    let home: FlowHome
    var registry = StepRegistry.standard
    var events: [ExecutionEvent] { box.events }
    private let box = EventBox()

    init() throws {
        // Short: Lua abbreviates chunk names past 60 characters, and messages quote them.
        root = "/tmp/ft-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        home = FlowHome(root: root + "/home")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Messages with this test's directory taken out of the paths they quote.
    func local(_ text: String) -> String { text.replacingOccurrences(of: root + "/", with: "") }

    func local(_ e: StepError) -> StepError { StepError(name: e.name, message: local(e.message)) }

    func write(_ name: String, _ source: String) -> String {
        let path = root + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(source.utf8))
        return path
    }

    func options(allowChanged: Bool = false, limits: LuaLimits? = nil) -> RunOptions {
        var o = RunOptions(home: home)
        o.registry = registry
        o.allowChangedScript = allowChanged
        o.pollInterval = .milliseconds(10)
        if let limits { o.limits = limits }
        let box = self.box
        o.observer = { box.append($0) }
        return o
    }

    func run(_ script: String, id: String = "t", params: [String: LuaValue] = [:], limits: LuaLimits? = nil) async throws -> RunOutcome {
        try await ExecutionRunner(.start(script: script, id: id, params: params), options: options(limits: limits)).run()
    }

    func resume(_ id: String, allowChanged: Bool = false) async throws -> RunOutcome {
        try await ExecutionRunner(.resume(id: id), options: options(allowChanged: allowChanged)).run()
    }

    func entries(_ id: String) throws -> [JournalEntry] {
        try WALReader.read(directory: home.journalDirectory(of: id)).records.map {
            try JournalCodec.decode(type: $0.type, payload: $0.payload)
        }
    }

    /// A new execution `to` holding the first `count` records of `from`: the state a crash
    /// right after that record leaves.
    func crashCopy(from: String, to: String, records count: Int) throws {
        let records = try WALReader.read(directory: home.journalDirectory(of: from)).records
        try writeExecution(to, scriptOf: from, records.prefix(count).map { try JournalCodec.decode(type: $0.type, payload: $0.payload) })
    }

    /// A new execution `to` holding `entries` (its start record renamed), with `from`'s script.
    func writeExecution(_ to: String, scriptOf from: String, _ entries: [JournalEntry]) throws {
        try FlowHome.makeDirectories(home.directory(of: to))
        let writer = try WALWriter.create(directory: home.journalDirectory(of: to))
        for var entry in entries {
            if case .started(var s) = entry {
                s.id = to
                entry = .started(s)
            }
            let (type, payload) = JournalCodec.encode(entry)
            try writer.append(type: type, payload: payload)
        }
        try writer.close()
        try FileManager.default.copyItem(atPath: home.scriptCopy(of: from), toPath: home.scriptCopy(of: to))
    }
}

final class EventBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ExecutionEvent] = []
    func append(_ e: ExecutionEvent) { lock.withLock { list.append(e) } }
    var events: [ExecutionEvent] { lock.withLock { list } }
}

/// A plugin for unit tests: counts its calls in memory. Its real-mode twin is `flow.exec`,
/// exercised by the end-to-end tests with real processes.
struct CounterPlugin: StepPlugin {
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        func add(_ n: String) { lock.withLock { names.append(n) } }
        var all: [String] { lock.withLock { names } }
    }

    struct SetInput: Decodable, Sendable {
        var zone: String
        var weights: [String: Int]
        var note: String?
    }

    struct SetOutput: Encodable, Sendable {
        var applied: [String: Int]
        var call: Int
    }

    let calls = Calls()
    let name = "counter"
    let summary = "test plugin"

    var functions: [StepFunction] {
        let calls = self.calls
        return [
            StepFunction.make("set", summary: "records a call", idempotent: true, input: SetInput.self,
                              validate: { input in
                                  if input.weights.values.contains(where: { $0 < 0 || $0 > 255 }) {
                                      throw LuaArgumentError(path: ["weights"], problem: "weights must be 0-255")
                                  }
                              }) { input, _ in
                calls.add("set:\(input.zone)")
                return SetOutput(applied: input.weights, call: calls.all.count)
            },
            StepFunction.make("fail", summary: "always fails", idempotent: true, input: [String: String].self) { input, _ -> Int in
                calls.add("fail")
                throw StepFailure(input["name"] ?? "Throttling", "rate exceeded", retryable: input["retryable"] != "no")
            },
        ]
    }
}
