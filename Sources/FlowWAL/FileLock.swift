#if canImport(Glibc)
import Glibc
#endif

/// An advisory exclusive lock (flock) on a lock file, held for as long as this object lives, so that
/// one log is driven by one process at a time. The holder writes "pid=<pid> host=<host> since=<UTC>"
/// (and an optional extra string) into the file, so whoever is refused can be told who holds it.
///
/// The lock is an open-file-description lock (fcntl F_OFD_SETLK): like flock it belongs to the open
/// file description, so a second acquire in the same process conflicts too, and the kernel drops it
/// when the holder exits or crashes, so a lock file never needs deleting by hand (and is never
/// deleted here: unlinking a lock file races with the next locker). Unlike flock it can be tested
/// without being taken (F_OFD_GETLK), so `flow status` never makes a resume fail.
/// Not Sendable, like WALWriter: it has one owner.
public final class FileLock {
    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    /// Takes the lock without waiting; throws .locked naming the holder if another holder has it.
    /// With `wait`, blocks until the holder lets go instead (only for locks held briefly).
    public static func acquire(path: String, extra: String = "", wait: Bool = false) throws -> FileLock {
        let fd = try Sys.open(path, O_RDWR | O_CREAT, mode: 0o600, operation: "open lock file")
        var request = wholeFile(F_WRLCK)
        while fcntl(fd, wait ? FileLock.waitLock : FileLock.setLock, &request) != 0 {
            let code = Sys.lastErrno
            if code == EINTR { continue }
            Sys.close(fd)
            if code == EAGAIN || code == EACCES {
                throw WALError(code: .locked, message: lockedMessage(holderText: currentHolderText(path), path: path),
                               path: path, errno: code)
            }
            throw WALError.io("lock", path, errno: code)
        }
        let lock = FileLock(path: path, fd: fd)
        var text = "pid=\(getpid()) host=\(Sys.hostName()) since=\(Sys.isoTimestamp())"
        if !extra.isEmpty { text += " " + extra }
        try Sys.ftruncate(fd, to: 0, path: path)
        // Not synced: the text is only read while a live process holds the lock, from the page cache;
        // after a crash nobody holds it and what it says no longer matters.
        try Sys.writeAll(fd, Array((text + "\n").utf8), path: path)
        return lock
    }

    /// The holder's text if a live process holds the lock, else nil. It only tests the lock, so it
    /// never gets in the way of a process acquiring it.
    public static func holder(path: String) -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Sys.close(fd) }
        var probe = wholeFile(F_WRLCK)
        guard fcntl(fd, FileLock.getLock, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return nil }
        return currentHolderText(path)
    }

    // Linux's numbers for the OFD commands (<bits/fcntl-linux.h>); Swift's Glibc module omits them.
    static let getLock: Int32 = 36
    static let setLock: Int32 = 37
    static let waitLock: Int32 = 38

    static func wholeFile(_ type: Int32) -> flock {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        return request
    }

    /// The holder writes its details just after it takes the lock, over those of a holder that may
    /// have died: wait briefly (≤ 100 ms) for text naming a live process before reporting it.
    static func currentHolderText(_ path: String) -> String {
        var text = readText(path)
        for _ in 0..<20 {
            if let pid = pidField(text), kill(pid, 0) == 0 || errno == EPERM { return text }
            usleep(5_000)
            text = readText(path)
        }
        return text
    }

    static func pidField(_ text: String) -> pid_t? {
        for token in text.split(separator: " ") where token.hasPrefix("pid=") {
            return pid_t(token.dropFirst(4))
        }
        return nil
    }

    /// Releases the lock (idempotent). The holder text is cleared first so it never describes a
    /// process that no longer holds the lock.
    public func release() {
        guard fd >= 0 else { return }
        _ = Glibc.ftruncate(fd, 0)
        Sys.close(fd)
        fd = -1
    }

    static func readText(_ path: String) -> String {
        guard let bytes = try? Sys.readFile(path) else { return "" }
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }

    /// "locked by pid 1234 on host h since 2026-11-26T16:00:00Z (lock file /x/lock); ..."
    static func lockedMessage(holderText: String, path: String) -> String {
        var fields: [String: String] = [:]
        var extra: [Substring] = []
        for token in holderText.split(separator: " ") {
            let parts = token.split(separator: "=", maxSplits: 1)
            if fields.count < 3, parts.count == 2, ["pid", "host", "since"].contains(String(parts[0])) {
                fields[String(parts[0])] = String(parts[1])
            } else {
                extra.append(token)
            }
        }
        let advice = "wait for that process to finish, or stop it (the lock goes away with the process; "
            + "do not delete the lock file)"
        guard let pid = fields["pid"] else {
            return "locked by another process that has not written its details yet (lock file \(path)); \(advice)"
        }
        var who = "locked by pid \(pid) on host \(fields["host"] ?? "?") since \(fields["since"] ?? "?")"
        if !extra.isEmpty { who += ", " + extra.joined(separator: " ") }
        return "\(who) (lock file \(path)); \(advice)"
    }
}
