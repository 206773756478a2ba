import ArgumentParser
import FlowEngine
#if canImport(Glibc)
import Glibc
#endif

/// `--home DIR` (or FLOW_HOME, default ./.flow): where executions are kept.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: "Where executions are kept (default: $FLOW_HOME, else ./.flow).", completion: .directory)
    var home: String?

    var flowHome: FlowHome {
        if let home { return FlowHome(root: home) }
        if let env = getenv("FLOW_HOME"), env.pointee != 0 { return FlowHome(root: String(cString: env)) }
        return FlowHome(root: ".flow")
    }
}

/// Options for commands that drive an execution.
struct DriveOptions: ParsableArguments {
    @Option(help: "When to fdatasync the journal: always (default), batch, none.",
            completion: .list(["always", "batch", "none"]))
    var sync: String = "always"

    @Flag(name: .customLong("group-commit"),
          help: "Executions of this process that commit at once share one fdatasync of a shared log (HOME/commit) instead of an fdatasync of each journal: many more durable steps per second for many executions (flow watch, flow serve). After a crash of the machine, the next command that reads or resumes a journal first puts back what only the shared log holds.")
    var groupCommit = false

    @Option(help: "Lua memory cap in MiB.")
    var maxMemory: Int = 256

    @Option(help: "Lua instruction limit for the whole run.")
    var maxInstructions: Int64 = 2_000_000_000

    @Flag(help: "Print nothing but the execution id and the result.")
    var quiet = false

    @Flag(help: "Print JSON lines of events on stderr instead of text.")
    var jsonEvents = false

    @Option(help: "AWS region for steps that do not name one (else AWS_REGION, AWS_DEFAULT_REGION, the profile). Journaled: a resume uses it too.")
    var region: String?

    @Option(help: "AWS shared-config profile (else AWS_PROFILE, then default). Journaled.")
    var profile: String?

    @Option(name: .customLong("plugins"), help: "A folder of Lua gates (or a plugins folder holding gates/), searched before FLOW_PLUGIN_PATH and plugins/gates. Repeatable.",
            completion: .directory)
    var pluginDirs: [String] = []

    @Flag(help: "Log AWS calls and other detail on stderr (secrets redacted).")
    var debug = false

    @Flag(help: "Plain progress lines, one per event, even on a terminal (no live view).")
    var plain = false

    @Option(name: .customLong("events"), help: ArgumentHelp("Append one JSON line per event to FILE as it happens; - for stdout, which then holds only these lines (the id is the first line's).", valueName: "FILE"),
            completion: .file())
    var eventsFile: String?

    @Option(name: .customLong("notify"), help: ArgumentHelp("POST JSON (Slack-compatible `text`) to this webhook on started, step completed, gate failed, paused, promoted, aborted, rolled back, succeeded. Repeatable.", valueName: "URL"))
    var notifyURLs: [String] = []

    func validate() throws {
        guard ["always", "batch", "none"].contains(sync) else {
            throw ValidationError("--sync must be always, batch or none, got '\(sync)'")
        }
        guard maxMemory > 0 else { throw ValidationError("--max-memory must be > 0") }
        guard maxInstructions > 0 else { throw ValidationError("--max-instructions must be > 0") }
        if let r = region, r.isEmpty || r.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            throw ValidationError("--region must look like us-east-1, got '\(r)'")
        }
        if let p = profile, p.isEmpty { throw ValidationError("--profile must not be empty") }
        if let problem = NotifySink.problem(notifyURLs) ?? EventsFileSink.problem(eventsFile) { throw ValidationError(problem) }
    }
}
