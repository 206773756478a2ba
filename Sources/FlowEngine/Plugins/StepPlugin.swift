import FlowLua
import Logging

/// What a native step function gets besides its input.
public struct StepContext: Sendable {
    public var executionID: String
    public var seq: Int
    public var attempt: Int
    public var logger: Logger
}

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
    let prepare: @Sendable (LuaValue) throws -> any Sendable
    let invoke: @Sendable (any Sendable, StepContext) async throws -> LuaValue

    public static func make<Input: Decodable & Sendable, Output: Encodable & Sendable>(
        _ name: String,
        summary: String,
        idempotent: Bool,
        retry: RetryPolicy = .never,
        identity: [String]? = nil,
        input: Input.Type = Input.self,
        validate: @escaping @Sendable (Input) throws -> Void = { _ in },
        _ body: @escaping @Sendable (Input, StepContext) async throws -> Output
    ) -> StepFunction {
        StepFunction(
            name: name, summary: summary, idempotent: idempotent, retry: retry, identity: identity,
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

/// A native plugin: a named group of step functions, offered to scripts as
/// `require "flow.NAME"`.
public protocol StepPlugin: Sendable {
    var name: String { get }
    var summary: String { get }
    var functions: [StepFunction] { get }
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
}
