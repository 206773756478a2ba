import FlowLua
import Logging

/// What a native step function gets besides its input.
public struct StepContext: Sendable {
    public var executionID: String
    public var seq: Int
    public var attempt: Int
    public var logger: Logger
    /// Process-wide defaults from the command line (`--region`, `--profile`, ...).
    public var settings: StepSettings
    /// This attempt was in flight when an earlier process died: its effect may have happened,
    /// partly or wholly, and may still be settling (a Route53 change still PENDING).
    public var resumedInFlight = false
    /// The time the execution lives in: real, or virtual under `flow test`. Steps that wait
    /// should wait through it.
    public var clock: any RunClock = SystemClock()
    /// When the engine's per-attempt timeout ends this attempt, if it has one.
    public var deadline: Millis?
    /// The last value this attempt recorded with `checkpoint(_:)` before the process running it
    /// died; nil unless `resumedInFlight` (a new attempt, a retry, starts without one).
    public var resumedCheckpoint: StepValue?
    /// Where `checkpoint(_:)` goes. The engine sets it to journal the value (one record, synced);
    /// nil when a function is called outside an execution (tests, Lua gates), where a checkpoint
    /// is kept nowhere.
    public var checkpointRecorder: (@Sendable (StepValue) async throws -> Void)?

    /// Waits `seconds` on the execution's clock, stopping at this attempt's timeout.
    public func sleep(seconds: Double) async throws {
        try await clock.sleep(seconds: seconds, stoppingAt: deadline)
    }

    /// Records `value` durably for this attempt (as Temporal's heartbeat details): when it returns,
    /// the value is in the journal and synced. If the process dies before the step ends, the
    /// attempt that runs again gets the last value recorded as `resumedCheckpoint`, so it can
    /// carry on instead of repeating a side effect (`route53.set_weights` records the id of the
    /// change it sent, and a resumed attempt waits for that change instead of sending another).
    /// Each call costs a journal record and an fdatasync: record what the step needs to resume,
    /// not progress for its own sake. At most `StepContext.maxCheckpointBytes`; a larger value
    /// throws a `StepFailure` (`CheckpointTooLarge`, not retryable). Throws `CancellationError`
    /// when the step is being stopped.
    public func checkpoint(_ value: StepValue) async throws {
        let size = JournalBounds.size(of: value, upTo: Self.maxCheckpointBytes)
        guard size <= Self.maxCheckpointBytes else {
            throw StepFailure("CheckpointTooLarge",
                              "a step checkpoint holds at most \(Self.maxCheckpointBytes >> 10) KiB: record an id or a reference, not data",
                              retryable: false)
        }
        try await checkpointRecorder?(value)
    }

    /// `checkpoint(_:)` of a `Codable` value, encoded as a keyword table is decoded.
    public func checkpoint<Value: Encodable>(_ value: Value) async throws {
        try await checkpoint(try LuaValueEncoder().encode(value))
    }

    /// `resumedCheckpoint` decoded as `Value`; nil when there is none or it does not decode (it
    /// was written by another version of the step: start over as if there were none).
    public func resumedCheckpoint<Value: Decodable>(as type: Value.Type) -> Value? {
        guard let value = resumedCheckpoint else { return nil }
        return try? LuaValueDecoder().decode(Value.self, from: value)
    }

    /// The largest value `checkpoint(_:)` takes.
    public static let maxCheckpointBytes = 64 << 10

    public init(executionID: String, seq: Int, attempt: Int, logger: Logger = Logger(label: "flow"),
                settings: StepSettings = StepSettings()) {
        self.executionID = executionID
        self.seq = seq
        self.attempt = attempt
        self.logger = logger
        self.settings = settings
    }
}

/// Defaults a step function falls back on when its keyword table does not say.
public struct StepSettings: Sendable, Equatable {
    /// `--region`: the AWS region for calls whose table has no `region`.
    public var region: String?
    /// `--profile`: the shared-config profile for credentials and region.
    public var profile: String?

    public init(region: String? = nil, profile: String? = nil) {
        self.region = region
        self.profile = profile
    }
}

/// Plugins speak in these rather than importing the Lua bridge (docs/ARCHITECTURE.md).
public typealias StepValue = LuaValue
public typealias StepArgumentError = LuaArgumentError

/// A failure a step function reports. `name` is what retry policies match
/// (`non_retryable = {"ValidationError"}`); `retryable: false` ends retries whatever the policy.
public struct StepFailure: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var message: String
    public var retryable: Bool

    public init(_ name: String, _ message: String, retryable: Bool = true) {
        self.name = name
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(name): \(message)" }
}

/// One function of a native plugin, e.g. `route53.set_weights`. Its input is decoded from the
/// script's keyword table before anything runs (unknown keys rejected), and its output is
/// journaled, then handed to the script.
public struct StepFunction: Sendable {
    public let name: String
    public let summary: String
    /// Safe to run twice: a replay of an in-flight attempt after a crash runs it again.
    public let idempotent: Bool
    public let retry: RetryPolicy
    /// The keys of the keyword table that identify the request for replay; nil: all of them.
    public let identity: [String]?
    /// Reads the world and changes nothing: Lua gates may call it.
    public let readOnly: Bool
    /// Returns a `GateResult`; the engine runs the analysis (`every`, `for`, limits) around it.
    public let isGate: Bool
    /// Takes `timeout` as its own argument (a wait with its own deadline and a better message)
    /// instead of the engine's per-attempt timeout.
    public let handlesTimeout: Bool
    let prepare: @Sendable (LuaValue) throws -> any Sendable
    let invoke: @Sendable (any Sendable, StepContext) async throws -> LuaValue

    public static func make<Input: Decodable & Sendable, Output: Encodable & Sendable>(
        _ name: String,
        summary: String,
        idempotent: Bool,
        retry: RetryPolicy = .never,
        identity: [String]? = nil,
        readOnly: Bool = false,
        handlesTimeout: Bool = false,
        input: Input.Type = Input.self,
        validate: @escaping @Sendable (Input) throws -> Void = { _ in },
        _ body: @escaping @Sendable (Input, StepContext) async throws -> Output
    ) -> StepFunction {
        StepFunction(
            name: name, summary: summary, idempotent: idempotent, retry: retry, identity: identity,
            readOnly: readOnly, isGate: false, handlesTimeout: handlesTimeout,
            prepare: { value in
                let decoded = try LuaValueDecoder().decode(Input.self, from: value)
                try validate(decoded)
                return decoded
            },
            invoke: { prepared, context in
                guard let typed = prepared as? Input else {
                    throw StepFailure("InternalError", "input of \(name) has the wrong type", retryable: false)
                }
                let output = try await body(typed, context)
                return try LuaValueEncoder().encode(output)
            })
    }
}

extension StepFunction {
    /// A health gate: one measurement per call, read-only and so safe to repeat. The engine
    /// polls it (`every`, `for`), applies `failure_limit` / `consecutive_errors`, and journals
    /// one outcome per gate step however many measurements it took.
    public static func gate<Input: Decodable & Sendable>(
        _ name: String,
        summary: String,
        identity: [String]? = nil,
        input: Input.Type = Input.self,
        validate: @escaping @Sendable (Input) throws -> Void = { _ in },
        _ body: @escaping @Sendable (Input, StepContext) async throws -> GateResult
    ) -> StepFunction {
        let plain = make(name, summary: summary, idempotent: true, identity: identity, readOnly: true,
                         input: Input.self, validate: validate, body)
        return StepFunction(
            name: plain.name, summary: plain.summary, idempotent: true, retry: .never, identity: identity,
            readOnly: true, isGate: true, handlesTimeout: false, prepare: plain.prepare, invoke: plain.invoke)
    }

    /// Decodes and validates `args`, then runs the function once: for tests and Lua gates.
    public func call(_ args: StepValue, context: StepContext) async throws -> StepValue {
        try await invoke(try prepare(args), context)
    }

    /// The same function (name, validation, retry policy, flags) with another body, which gets
    /// the validated keyword table as the script wrote it: `flow test`'s mocks and simulated
    /// cloud stand in for the real call this way, and a bad argument still fails as it would.
    public func replacingBody(_ body: @escaping @Sendable (StepValue, StepContext) async throws -> StepValue) -> StepFunction {
        let prepare = self.prepare
        return StepFunction(
            name: name, summary: summary, idempotent: idempotent, retry: retry, identity: identity,
            readOnly: readOnly, isGate: isGate, handlesTimeout: handlesTimeout,
            prepare: { args in
                _ = try prepare(args)
                return args
            },
            invoke: { prepared, context in
                guard let args = prepared as? StepValue else {
                    throw StepFailure("InternalError", "input of \(self.name) has the wrong type", retryable: false)
                }
                return try await body(args, context)
            })
    }

    /// Decodes and validates `args` without running anything.
    public func validate(_ args: StepValue) throws {
        _ = try prepare(args)
    }
}

/// A native plugin: a named group of step functions, offered to scripts as
/// `require "flow.NAME"`.
public protocol StepPlugin: Sendable {
    var name: String { get }
    var summary: String { get }
    var functions: [StepFunction] { get }
    /// Lua that shapes the module scripts get, or nil for the functions as they are. It runs in
    /// the prelude's world and is called as `chunk(module, flow)`: `module` holds the native
    /// functions; what the chunk returns is what `require` gives the script.
    var luaSource: String? { get }
}

extension StepPlugin {
    public var luaSource: String? { nil }
}

/// The plugins an engine offers; the Lua modules are generated from it (one source of truth).
public struct StepRegistry: Sendable {
    public private(set) var plugins: [String: any StepPlugin] = [:]

    public init(_ plugins: [any StepPlugin] = []) {
        for p in plugins { register(p) }
    }

    public mutating func register(_ plugin: any StepPlugin) {
        plugins[plugin.name] = plugin
    }

    /// "route53.set_weights" → its function.
    public func function(_ qualifiedName: String) -> StepFunction? {
        guard let dot = qualifiedName.lastIndex(of: ".") else { return nil }
        let plugin = String(qualifiedName[..<dot]), fn = String(qualifiedName[qualifiedName.index(after: dot)...])
        return plugins[plugin]?.functions.first { $0.name == fn }
    }

    public var moduleNames: [String] { plugins.keys.sorted().map { "flow.\($0)" } }

    /// This registry with `function` standing in for the function of the same name in plugin
    /// `plugin` (its Lua module shape kept).
    public mutating func replace(plugin: String, function: StepFunction) {
        guard let original = plugins[plugin] else { return }
        var functions = original.functions
        if let i = functions.firstIndex(where: { $0.name == function.name }) { functions[i] = function } else { functions.append(function) }
        plugins[plugin] = ReplacedPlugin(name: original.name, summary: original.summary, functions: functions,
                                         luaSource: original.luaSource)
    }
}

/// A plugin whose functions were swapped (see `StepRegistry.replace`).
struct ReplacedPlugin: StepPlugin {
    let name: String
    let summary: String
    let functions: [StepFunction]
    let luaSource: String?
}

extension StepSettings {
    /// As the start record keeps them.
    var journaled: [String: String] {
        var s: [String: String] = [:]
        if let region { s["region"] = region }
        if let profile { s["profile"] = profile }
        return s
    }
}
