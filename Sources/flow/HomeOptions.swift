import ArgumentParser
import FlowEngine
#if canImport(Glibc)
import Glibc
#endif

/// `--home DIR` (or FLOW_HOME, default ./.flow): where executions are kept.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: "Where executions are kept (default: $FLOW_HOME, else ./.flow).")
    var home: String?

    var flowHome: FlowHome {
        if let home { return FlowHome(root: home) }
        if let env = getenv("FLOW_HOME"), env.pointee != 0 { return FlowHome(root: String(cString: env)) }
        return FlowHome(root: ".flow")
    }
}

/// Options for commands that drive an execution.
struct DriveOptions: ParsableArguments {
    @Option(help: "When to fdatasync the journal: always (default), batch, none.")
    var sync: String = "always"

    @Option(help: "Lua memory cap in MiB.")
    var maxMemory: Int = 256

    @Option(help: "Lua instruction limit for the whole run.")
    var maxInstructions: Int64 = 2_000_000_000

    @Flag(help: "Print nothing but the execution id and the result.")
    var quiet = false

    @Flag(help: "Print JSON lines of events on stderr instead of text.")
    var jsonEvents = false

    func validate() throws {
        guard ["always", "batch", "none"].contains(sync) else {
            throw ValidationError("--sync must be always, batch or none, got '\(sync)'")
        }
        guard maxMemory > 0 else { throw ValidationError("--max-memory must be > 0") }
        guard maxInstructions > 0 else { throw ValidationError("--max-instructions must be > 0") }
    }
}
