/// commit() and sync() for async callers: the sync runs on a BlockingIO thread and the caller
/// suspends, and the logs of one file system that commit at the same time share one flush
/// (GroupCommit), so a process driving many executions pays about one sync per round of steps.
extension WALWriter {
    /// commit(), suspending instead of blocking when it syncs.
    public func commitSuspending() async throws {
        try checkUsable()
        if commitWouldSync { try await syncSuspending() }
    }

    /// sync(), suspending instead of blocking. The owner must not append meanwhile (it is suspended
    /// here, and the writer has one owner), so the sync covers exactly the records appended so far.
    public func syncSuspending() async throws {
        try checkUsable()
        do {
            if let group = commitGroup {
                try await group.sync(fd: fd, path: segmentPath)
            } else {
                let fd = self.fd, path = segmentPath
                try await BlockingIO.run { try Sys.fdatasync(fd, path: path) }
            }
        } catch let error as WALError {
            throw syncFailed(error)
        }
        synced()
    }
}
