import FlowLua

/// `flow.exec{ cmd = {...} }`: runs a process (no shell unless `shell = true`) and journals
/// its exit code and output, bounded. A non-zero exit is a failure named "NonZeroExit" unless
/// `check = false`, so retry policies and fail-back see it.
struct ExecInput: Decodable, Sendable {
    var cmd: ExecCommand
    var shell: Bool?
    var env: [String: String]?
    var cwd: String?
    var stdin: String?
    var check: Bool?
    var output_limit: Int?
}

enum ExecCommand: Decodable, Sendable {
    case argv([String])
    case line(String)

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .line(s)
        } else {
            self = .argv(try c.decode([String].self))
        }
    }
}

enum ExecStep {
    static func spec(_ input: ExecInput) throws -> ProcessSpec {
        let argv: [String]
        switch (input.cmd, input.shell ?? false) {
        case (.line(let line), true): argv = ["/bin/sh", "-c", line]
        case (.argv(let a), true): argv = ["/bin/sh", "-c"] + a
        case (.line, false):
            throw LuaArgumentError(path: ["cmd"], problem: "a command line needs shell = true; or pass a list: cmd = {\"prog\", \"arg\"}")
        case (.argv(let a), false): argv = a
        }
        guard let first = argv.first, !first.isEmpty else {
            throw LuaArgumentError(path: ["cmd"], problem: "the command is empty")
        }
        if let limit = input.output_limit, limit < 0 || limit > 16 << 20 {
            throw LuaArgumentError(path: ["output_limit"], problem: "must be between 0 and \(16 << 20) bytes")
        }
        var spec = ProcessSpec(argv: argv)
        spec.environment = input.env
        spec.workingDirectory = input.cwd
        spec.stdin = input.stdin.map { Array($0.utf8) }
        spec.outputLimit = input.output_limit ?? 64 << 10
        return spec
    }

    static let function = StepFunction.make(
        "exec", summary: "Run a process and journal its exit code and output.", idempotent: false,
        input: ExecInput.self, validate: { _ = try spec($0) }
    ) { input, context -> LuaValue in
        let spec = try spec(input)
        let outcome: ProcessOutcome
        do {
            outcome = try await ProcessRunner.run(spec)
        } catch let e as ProcessLaunchError {
            throw StepFailure("LaunchError", e.message, retryable: false)
        }
        var result: [String: LuaValue] = [
            "code": outcome.exitCode.map { .int(Int64($0)) } ?? .nil,
            "stdout": LuaValue.fromBytes(outcome.stdout),
            "stderr": LuaValue.fromBytes(outcome.stderr),
        ]
        if let sig = outcome.signal { result["signal"] = .int(Int64(sig)) }
        if outcome.stdoutTruncated > 0 { result["stdout_truncated"] = .int(Int64(outcome.stdoutTruncated)) }
        if outcome.stderrTruncated > 0 { result["stderr_truncated"] = .int(Int64(outcome.stderrTruncated)) }
        if input.check ?? true, outcome.exitCode != 0 {
            let tail = String(decoding: outcome.stderr.suffix(400), as: UTF8.self)
            let how = outcome.exitCode.map { "exited with code \($0)" } ?? "was killed by signal \(outcome.signal ?? 0)"
            throw StepFailure("NonZeroExit", "\(spec.argv.joined(separator: " ")) \(how)" + (tail.isEmpty ? "" : ": \(tail)"))
        }
        return .table(result)
    }
}

/// The functions every workflow has on `flow` itself, through the same path as plugins.
struct CorePlugin: StepPlugin {
    let name = "core"
    let summary = "flow's built-in steps"
    var functions: [StepFunction] { [ExecStep.function] }
}

extension StepRegistry {
    /// The engine's own functions; the CLI adds the plugins it links.
    public static var standard: StepRegistry { StepRegistry([CorePlugin()]) }
}
