/// commit() and sync() for async callers: the fdatasync runs on a BlockingIO thread and the caller
/// suspends, so a process driving many logs has all their syncs in flight at once.
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
        let fd = self.fd, path = segmentPath
        do {
            try await BlockingIO.run { try Sys.fdatasync(fd, path: path) }
        } catch let error as WALError {
            throw syncFailed(error)
        }
        synced()
    }
}
