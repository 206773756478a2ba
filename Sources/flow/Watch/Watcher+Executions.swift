import FlowEngine
import FlowTriggers
import FlowWAL
import Foundation

/// Creating, resuming, cancelling and waiting for the trigger's executions. Every path leads to
/// one `ended` record per execution, after which the service's waiting execution (if any) starts.
extension Watcher {
    /// Starts the execution a decision recorded. Its id comes from its key, so when it exists
    /// already (the watcher died after creating it) it is adopted instead: never created twice.
    func launch(_ id: String) {
        guard !halted, drives[id] == nil, observers[id] == nil, let execution = journal.state.executions[id] else { return }
        if settings.home.exists(id) {
            adopt(id)
            return
        }
        let request: RunRequest
        do {
            request = .start(script: settings.workflow, id: id, params: try settings.parameters(event: execution.body))
        } catch {
            ended(id, .refused, message: "its event is not a JSON object: \(error)")
            return
        }
        log.launching(id, execution: execution)
        let options = executionOptions(id, workflowPath: settings.workflow)
        drives[id] = Task {
            let code = await Composition.drive(request, options: options, shutdown: false)
            self.driveEnded(id, code: code)
        }
    }

    /// An execution of this trigger that exists: finish what the last watcher left.
    func adopt(_ id: String) {
        let home = settings.home
        // After a crash of the machine, a journal committed with group commit may have its start
        // record and steps only in a dead watcher's shared log: put back before it is judged.
        do {
            try SharedLogRecovery.recover(directory: home.sharedLogDirectory)
        } catch {
            log.problem(id, "group commit's shared log cannot be put back (\(error)); waiting")
            observe(id, resumeWhenFree: false)
            return
        }
        let hasStart: Bool
        do {
            hasStart = try JournalReading.read(home: home, id: id).state.started != nil
        } catch let e as RunError where e.code == .usage {
            hasStart = false  // the journal folder exists without a segment yet
        } catch {
            log.problem(id, "its journal cannot be read (\(error)); fix it, then `flow resume \(id)`; waiting for it to finish")
            observe(id, resumeWhenFree: false)
            return
        }
        if !hasStart {
            // The watcher died while creating it: nothing ran (the start record comes before
            // any step), so it is created again from the top, under the same id.
            guard FileLock.holder(path: home.lockPath(of: id)) == nil else {
                observe(id, resumeWhenFree: true)
                return
            }
            do {
                try FileManager.default.removeItem(atPath: home.directory(of: id))
            } catch {
                log.problem(id, "its creation was interrupted and its folder cannot be removed (\(error)); waiting")
                observe(id, resumeWhenFree: false)
                return
            }
            log.note(id, "its creation was interrupted; creating it again")
            launch(id)
            return
        }
        guard let summary = try? ExecutionSummary.load(home: home, id: id) else {
            observe(id, resumeWhenFree: false)
            return
        }
        if let status = Ended.Status(rawValue: summary.status) {
            ended(id, status)
        } else if summary.status == "interrupted" {
            resume(id)
        } else {
            log.note(id, "driven by another process (\(summary.driver ?? "?")); waiting for it to finish")
            observe(id, resumeWhenFree: true)
        }
    }

    func resume(_ id: String) {
        guard !halted, drives[id] == nil else { return }
        log.note(id, "resuming")
        let options = executionOptions(id, workflowPath: nil)
        drives[id] = Task {
            let code = await Composition.drive(.resume(id: id), options: options, shutdown: false)
            self.driveEnded(id, code: code)
        }
    }

    func driveEnded(_ id: String, code: Int32) {
        drives[id] = nil
        switch code {
        case Exit.succeeded: ended(id, .succeeded)
        case Exit.failed: ended(id, .failed)
        case Exit.cancelled: ended(id, .cancelled)
        case Exit.interrupted:
            // Stopped with the watcher (SIGTERM, Ctrl-C): the next watcher resumes it.
            log.note(id, "interrupted; the next `flow watch` of this trigger resumes it")
        case Exit.usage where !settings.home.exists(id):
            // Refused before its first step (and removed): the parameters do not fit the
            // workflow, which is the trigger's configuration, the same for every event. The
            // watcher stops rather than spend the key; the next watcher creates it again, with
            // the same id and event, once the workflow or --param is fixed.
            fail("\(id) was refused before its first step (the error is above): fix the workflow (a workflow "
                + "started by flow watch declares `event = {}` in flow.params) or --param; the next `flow watch` "
                + "of this trigger starts it again with the same event", code: Exit.usage)
        case Exit.locked:
            log.note(id, "driven by another process; waiting for it to finish")
            observe(id, resumeWhenFree: true)
        default:
            log.problem(id, "stopped with exit \(code) (the error is above): fix the cause, then `flow resume \(id)`; "
                + "the watcher waits for it to finish before starting another rollout of its service")
            observe(id, resumeWhenFree: false)
        }
    }

    /// Records the end once, then starts what waited for it.
    func ended(_ id: String, _ status: Ended.Status, message: String? = nil) {
        guard journal.state.executions[id]?.phase == .running else { return }
        do {
            try journal.record(.ended(Ended(at: WallClock.now(), execution: id, status: status, message: message)))
        } catch {
            fail("cannot journal the end of \(id) in \(journal.directory): \(error)")
            return
        }
        log.ended(id, status, message: message)
        promoteWaiting()
    }

    /// Starts each waiting execution whose service has nothing running any more.
    func promoteWaiting() {
        guard !halted else { return }
        for execution in journal.state.promotable {
            do {
                try journal.record(.promoted(Promoted(at: WallClock.now(), execution: execution.id)))
            } catch {
                fail("cannot journal the start of \(execution.id) in \(journal.directory): \(error)")
                return
            }
            launch(execution.id)
        }
    }

    /// Posts a cancel to the running execution's inbox, as `flow cancel` does: whoever drives it
    /// stops it at its current step and runs its on_failure handlers (the fail-back).
    func requestCancel(_ running: String, supersededBy next: String) {
        let message = InboxMessage(kind: .cancel, from: requester(), reason: "superseded by \(next) (flow watch)",
                                   at: WallClock.now())
        do {
            try Inbox(directory: settings.home.inboxDirectory(of: running)).post(message)
            log.note(running, "cancel requested: superseded by \(next)")
        } catch {
            log.problem(running, "cannot post the cancel that makes way for \(next): \(error)")
        }
    }

    /// Waits for an execution this process does not drive: until it ends (recorded then), or,
    /// with `resumeWhenFree`, until nobody drives it any more (then this process resumes it).
    func observe(_ id: String, resumeWhenFree: Bool) {
        guard !halted, observers[id] == nil else { return }
        observers[id] = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if self.looked(at: id, resumeWhenFree: resumeWhenFree) { return }
            }
        }
    }

    /// One look at an observed execution; true when the observation is over.
    func looked(at id: String, resumeWhenFree: Bool) -> Bool {
        guard !halted else { return true }
        guard let summary = try? ExecutionSummary.load(home: settings.home, id: id) else { return false }
        if let status = Ended.Status(rawValue: summary.status) {
            observers[id] = nil
            ended(id, status)
            return true
        }
        if resumeWhenFree, summary.status == "interrupted" {
            observers[id] = nil
            resume(id)
            return true
        }
        return false
    }

    /// RunOptions as `flow run` / `flow resume` build them, with each event line naming the
    /// execution (several run at once in this process).
    func executionOptions(_ id: String, workflowPath: String?) -> RunOptions {
        let printer = ExecutionLog(id: id, quiet: settings.drive.quiet, json: settings.drive.jsonEvents)
        return Composition.options(home: settings.home, drive: settings.drive, printID: false, workflowPath: workflowPath,
                                   resuming: workflowPath == nil ? id : nil, terminal: printer)
    }
}
