import FlowEngine
import FlowTriggers
import FlowWAL

/// One watcher per trigger: the trigger folder's lock file is held (OFD lock, dropped by the
/// kernel when the holder dies) for as long as the watcher runs. A second watcher of the same
/// trigger is a hot standby: it waits, and takes over the moment the holder stops or dies, with
/// the journal as the holder left it. `--no-wait` makes it exit 3 instead.
enum TriggerLockWait {
    enum Outcome {
        /// `waited`: another watcher had it first (this one was its standby).
        case acquired(FileLock, waited: Bool)
        /// Locked and told not to wait: the message names the holder.
        case refused(String)
        /// SIGTERM or Ctrl-C while waiting.
        case stopped
    }

    static func acquire(_ layout: TriggerLayout, wait: Bool) async throws -> Outcome {
        try FlowHome.makeDirectories(layout.directory)
        var announced = false
        while true {
            do {
                return .acquired(try FileLock.acquire(path: layout.lockPath, extra: "trigger=\(layout.name)"), waited: announced)
            } catch let e as WALError where e.code == .locked {
                guard wait else { return .refused("trigger \(layout.name) is watched already: \(e.message)") }
                if !announced {
                    announced = true
                    let holder = FileLock.holder(path: layout.lockPath) ?? "another process"
                    Console.info("flow: watch: standby: trigger \(layout.name) is watched by \(holder); taking over when it stops (--no-wait exits instead)")
                }
            }
            if StopSignal.isRequested { return .stopped }
            try? await Task.sleep(for: .milliseconds(100))
            if announced, StopSignal.isRequested { return .stopped }
        }
    }
}
