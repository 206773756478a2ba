/// commit() and sync() for async callers: the sync runs on a BlockingIO thread and the caller
/// suspends; with group commit, the logs that commit at the same time share one fdatasync of a
/// shared log (GroupCommit), so a process driving many executions pays about one sync per round.
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
            if let group = commitGroup, !pending.isEmpty {
                if framePath.isEmpty {
                    framePath = SharedLogFrame.pathField(segmentPath: segmentPath, relativeTo: group.base)
                }
                let frame = SharedLogFrame.encode(pathField: framePath, offset: pendingOffset, bytes: pending)
                try await group.commit(frame: frame, segment: segmentPath)
                sharedCommitCount += 1
                unsynced = false
                pending.removeAll(keepingCapacity: true)
                lastSync = .now
                return
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
