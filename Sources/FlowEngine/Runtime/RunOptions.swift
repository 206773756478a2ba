import FlowLua
import FlowWAL
import Logging

/// How to drive one execution.
public struct RunOptions: Sendable {
    public var home: FlowHome
    public var syncPolicy: SyncPolicy = .always
    /// Executions of this process that commit at the same time share one fdatasync of a shared log
    /// in HOME/commit (FlowWAL's GroupCommit, `--group-commit`); off (the default), each fdatasyncs
    /// its own journal.
    public var groupCommit = false
    public var limits = LuaLimits(memoryBytes: 256 << 20, instructions: 2_000_000_000)
    public var allowChangedScript = false
    public var registry = StepRegistry()
    /// Defaults for step functions (`--region`, `--profile`).
    public var settings = StepSettings()
    public var observer: @Sendable (ExecutionEvent) -> Void = { _ in }
    public var logger = Logger(label: "flow")
    /// How often waits look at the inbox and for Ctrl-C.
    public var pollInterval: Duration = .milliseconds(50)
    /// Where timestamps, deadlines and waits come from (virtual under `flow test`).
    public var clock: any RunClock = SystemClock()
    /// Uniform in [0, 1): retry jitter and `flow.random` (seeded under `flow test`, so a test's
    /// retry times are the same on every run).
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    /// `flow replay`: answer every step from the journal and never run one live; `run()` throws
    /// a `ReplayOnlyStop` where the history ends or the script parts from it.
    public var replayOnly = false

    public init(home: FlowHome) {
        self.home = home
    }

    /// How the execution's journal is written.
    var walOptions: WALOptions {
        var wal = WALOptions()
        wal.syncPolicy = syncPolicy
        wal.groupCommit = groupCommit
        wal.sharedLogDirectory = home.sharedLogDirectory
        return wal
    }
}

/// Start a new execution, or carry on an existing one.
public enum RunRequest: Sendable {
    case start(script: String, id: String?, params: [String: LuaValue])
    case resume(id: String)
    /// `flow retry`: a failed or aborted execution goes again from its failed step.
    case redrive(id: String, by: String, reason: String?)
}
