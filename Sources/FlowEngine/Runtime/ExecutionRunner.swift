import Foundation
import FlowLua
import FlowWAL

/// Drives one execution: runs the workflow's body in a coroutine, answers each step from the
/// journal while replaying and live after that, and writes every outcome to the WAL before the
/// script sees it. The replay decisions come from `ReplayMachine`; this type does the I/O.
///
/// Not Sendable: one task owns it, and Lua runs only inside `run()`.
public final class ExecutionRunner {
    var options: RunOptions
    let request: RunRequest
    public private(set) var id = ""
    var workflowPath = ""
    var scriptBytes: [UInt8] = []
    var randomSeed: Int64 = 0
    var rawParams: [String: LuaValue] = [:]
    var paramsDeclared = false
    var createdNow = false

    var machine = ReplayMachine(journal: JournalState())
    var writer: WALWriter?
    var lock: FileLock?
    var inbox: Inbox { Inbox(directory: options.home.inboxDirectory(of: id)) }
    var fatal: Error?

    var lua: LuaState!
    var chunk: LuaRef?
    var currentThread: LuaThread?
    var pending: PendingWork?
    var compensations: [LuaRef] = []
    var insideStep: PureStep?
    var reportedReplay = false
    var announced = false
    var lastInboxLook = ContinuousClock.now - .seconds(1)
    let crash = CrashPoint.fromEnvironment()

    /// A `flow.step` whose Lua function is running now.
    struct PureStep {
        var seq: Int
        var attempt: Int
        var name: String
        var policy: RetryPolicy
        var timeout: Double?
        var started: ContinuousClock.Instant
    }

    public init(_ request: RunRequest, options: RunOptions) {
        self.request = request
        self.options = options
    }

    deinit {
        try? writer?.close()
        lock?.release()
    }

    /// Runs to an outcome. Errors that are not the workflow's own (bad input, a locked or
    /// damaged journal, a determinism error) are thrown as `RunError`.
    public func run() async throws -> RunOutcome {
        defer { release() }
        switch request {
        case .start(let script, let id, let params):
            try await prepareStart(script: script, id: id, params: params)
        case .resume(let id):
            if let status = try prepareResume(id: id) { return .alreadyFinished(status) }
        case .redrive(let id, let by, let reason):
            if let status = try prepareResume(id: id, redrive: (by, reason)) { return .alreadyFinished(status) }
        }
        return try await execute()
    }

    func release() {
        try? writer?.close()
        writer = nil
        lock?.release()
        lock = nil
    }

    // MARK: start and resume

    func prepareStart(script: String, id requested: String?, params: [String: LuaValue]) async throws {
        workflowPath = script
        rawParams = params
        scriptBytes = try Self.readScript(script)
        randomSeed = Int64.random(in: 1...Int64.max)
        let now = options.clock.now()
        id = requested ?? FlowHome.newID(workflow: script, at: now)
        do { try FlowHome.validate(id: id) } catch { throw RunError(.usage, "\(error)") }
        let home = options.home
        try recoverSharedLogs()
        if home.isInterruptedCreation(id) {
            // A process died creating it, before anything ran: start it afresh under the same id.
            try? FileManager.default.removeItem(atPath: home.directory(of: id))
            options.observer(.warning("an earlier creation of '\(id)' was interrupted before it started; starting it afresh"))
        }
        if home.exists(id) {
            throw RunError(.usage, "execution '\(id)' already exists in \(home.root): resume it with `flow resume \(id)` or choose another --id")
        }
        try setUpLua()
        do {
            let created = try await BlockingIO.run { [id, scriptBytes, wal = options.walOptions] in
                try NewExecution.create(home: home, id: id, script: scriptBytes, walOptions: wal)
            }
            lock = created.lock
            writer = created.writer
            createdNow = true
        } catch let e as RunError {
            throw e
        } catch let e as WALError where e.code == .alreadyExists {
            throw RunError(.usage, "execution '\(id)' already exists in \(home.root)")
        } catch {
            throw RunError(.internalError, "cannot create execution '\(id)' in \(home.root): \(error)")
        }
        let started = ExecutionStarted(
            id: id, workflow: script, scriptDigest: ScriptDigest.of(scriptBytes), params: params,
            randomSeed: randomSeed, at: now, host: WallClock.hostName, pid: getpid(), settings: options.settings.journaled)
        guard await journalDurably(.started(started)) else { throw RunError(.internalError, "\(journalFailure)") }
        crash?.hit("after-started", seq: 0)
    }

    /// Says the execution exists: at its first live step (or its end), so a run refused for its
    /// parameters never announces an id that is then removed.
    func announce() {
        guard !announced else { return }
        announced = true
        options.observer(.started(id: id, workflow: workflowPath, resumed: !createdNow))
    }

    /// After a crash of the machine, a journal committed with group commit may lack records that
    /// only a dead process's shared log holds, its start record included: they go back before
    /// anything reads a journal (an unstarted-looking execution would otherwise be removed).
    func recoverSharedLogs() throws {
        do {
            let report = try SharedLogRecovery.recover(directory: options.home.sharedLogDirectory)
            if report.framesWritten > 0 {
                options.observer(.warning("after a crash, \(report.framesWritten) group commits were put back into their journals from \(report.generations) shared log(s) in \(options.home.sharedLogDirectory)"))
            }
        } catch let e as WALError {
            throw RunError(.journal, "group commit's shared log cannot be put back: \(e.message)")
        }
    }

    /// Returns the final status when the execution had already finished.
    func prepareResume(id: String, redrive: (by: String, reason: String?)? = nil) throws -> FinalStatus? {
        self.id = id
        let home = options.home
        try FlowHome.checkExisting(home: home, id: id)
        try recoverSharedLogs()
        if try home.checkInterruptedCreation(id) {
            try? FileManager.default.removeItem(atPath: home.directory(of: id))
            throw RunError(.usage, "execution '\(id)' never started: the process creating it died before its first record, so nothing ran; it was removed: start it again with `flow run WORKFLOW --id \(id)`")
        }
        lock = try acquireLock()
        let walOptions = options.walOptions
        // Records are folded in place as the scan meets them: no copy of a long journal is kept.
        let folder = JournalReading.Folder()
        let opened: WALWriter
        do {
            let o = try WALWriter.open(directory: home.journalDirectory(of: id), options: walOptions, visit: folder.visit)
            if let repair = o.repair { options.observer(.warning("journal repaired: \(repair)")) }
            opened = o.writer
        } catch let e as WALError {
            throw RunError(.journal, e.message)
        }
        var state = folder.state
        guard let started = state.started else { throw RunError(.journal, "the journal of '\(id)' has no start record") }
        if let redrive {
            guard let finished = state.finished, finished.status == .failed || finished.status == .aborted else {
                let now = state.finished.map { "it \($0.status.rawValue)" } ?? "it has not finished (flow resume \(id) carries it on)"
                throw RunError(.usage, "execution '\(id)' cannot be retried: \(now); only a failed or aborted execution can")
            }
            let record = Redriven(at: options.clock.now(), by: redrive.by, reason: redrive.reason, fromSeq: Self.redriveStart(state))
            do {
                let (type, payload) = JournalCodec.encode(.redriven(record))
                try opened.append(type: type, payload: payload)
                try opened.commit()
                try state.apply(.redriven(record))
            } catch {
                throw RunError(.internalError, "cannot journal the retry of '\(id)': \(error)")
            }
            options.observer(.operatorAction(action: "retry", by: redrive.by, reason: redrive.reason))
        }
        if let finished = state.finished { return finished.status }
        writer = opened
        machine = ReplayMachine(journal: state)
        workflowPath = started.workflow
        rawParams = started.params
        randomSeed = started.randomSeed
        try adoptSettings(started.settings)
        do {
            scriptBytes = try Self.readScript(workflowPath)
        } catch {
            scriptBytes = try Self.readScript(home.scriptCopy(of: id))
            options.observer(.warning("\(workflowPath) is gone; resuming with the copy taken at start"))
        }
        let digest = ScriptDigest.of(scriptBytes)
        let changed = digest != started.scriptDigest
        if changed && !options.allowChangedScript {
            throw RunError(.determinism, """
                \(workflowPath) changed since execution '\(id)' started (sha256 \(started.scriptDigest.prefix(12)) then, \
                \(digest.prefix(12)) now). Resuming with a different script can replay the recorded steps into different \
                code. Restore the original (a copy is at \(home.scriptCopy(of: id))), or pass --allow-changed-script to \
                try the new one: a determinism error stops it at the first step that differs.
                """)
        }
        try setUpLua()
        let resumed = Resumed(at: options.clock.now(), host: WallClock.hostName, pid: getpid(), scriptChanged: changed)
        guard journal(.resumed(resumed), commit: true) else { throw RunError(.internalError, "\(journalFailure)") }
        for step in state.steps {
            for attempt in step.attempts {
                if case .completed(_, let file?)? = attempt.outcome { inbox.remove(file) }
            }
        }
        announce()
        return nil
    }

    /// Where a retry starts. The body's steps are those before `nextSeq` (compensation's are
    /// numbered from there). If the body had begun step `atSeq` (it was in flight when
    /// aborted), that one; after a cancel or abort between steps, the step that was next; after
    /// a failure raised between steps, the last step, whose error or result the script failed
    /// on (a step that ran out of retries, a gate whose verdict was `fail`), so it runs again.
    static func redriveStart(_ state: JournalState) -> Int {
        guard let c = state.compensating else { return state.steps.count + 1 }
        if c.atSeq < c.nextSeq || c.reason != .failed { return c.atSeq }
        return max(1, c.atSeq - 1)
    }

    func acquireLock() throws -> FileLock {
        do {
            return try FileLock.acquire(path: options.home.lockPath(of: id), extra: "execution=\(id)")
        } catch let e as WALError where e.code == .locked {
            throw RunError(.locked, e.message)
        } catch {
            throw RunError(.internalError, "cannot lock execution '\(id)': \(error)")
        }
    }

    static func readScript(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw RunError(.usage, "workflow file \(path) \(why)")
        }
        return Array(data)
    }

    // MARK: journal

    /// Why the last `journal(...)` returned false.
    var journalFailure: Error { fatal ?? RunError(.internalError, "journal write failed") }

    /// Appends entries (and commits them when asked). A failure to write is fatal to the run,
    /// never an error the script could catch: it sets `fatal` and returns false.
    @discardableResult
    func journal(_ entries: JournalEntry..., commit: Bool) -> Bool {
        guard fatal == nil, let writer else {
            if fatal == nil { fatal = RunError(.internalError, "the journal is not open") }
            return false
        }
        do {
            try append(entries, to: writer)
            if commit { try writer.commit() }
            return true
        } catch {
            fatal = error
            return false
        }
    }

    /// journal(..., commit: true) for async callers: a sync suspends the caller on a blocking-I/O
    /// thread instead of holding a thread of the cooperative pool (FlowWAL/BlockingIO.swift), so
    /// the executions of one process have their syncs in flight together.
    func journalDurably(_ entries: JournalEntry...) async -> Bool {
        guard fatal == nil, let writer else {
            if fatal == nil { fatal = RunError(.internalError, "the journal is not open") }
            return false
        }
        do {
            try append(entries, to: writer)
            try await writer.commitSuspending()
            return true
        } catch {
            fatal = error
            return false
        }
    }

    /// Commits what is appended, suspending while it syncs; false (and `fatal` set) on failure.
    func commitSuspending() async -> Bool {
        guard fatal == nil, let writer else { return false }
        do {
            try await writer.commitSuspending()
            return true
        } catch {
            fatal = error
            return false
        }
    }

    /// Whether a commit now would fdatasync (a host function then yields the commit to the runner).
    var commitWouldSync: Bool { fatal == nil && writer?.commitWouldSync == true }

    private func append(_ entries: [JournalEntry], to writer: WALWriter) throws {
        for entry in entries {
            let e = JournalBounds.fitted(entry)
            let (type, payload) = JournalCodec.encode(e)
            try writer.append(type: type, payload: payload)
            try machine.record(e)
        }
    }
}
