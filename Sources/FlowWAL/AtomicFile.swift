#if canImport(Glibc)
import Glibc
#endif

/// Whole-file replacement that a crash cannot leave half done: readers see the old file or the new
/// one, never a mix, and once `write` returns the new one survives power loss.
public enum AtomicFile {
    /// Writes a temporary file in the same directory (rename is only atomic within a filesystem),
    /// fsyncs it, renames it over `path`, then fsyncs the directory so the rename itself is durable.
    /// A caller that syncs the directory itself later, before anything relies on the file, passes
    /// `syncDirectory: false` to share that one sync between several entries.
    public static func write(path: String, contents: [UInt8], mode: mode_t = 0o600, syncDirectory: Bool = true) throws {
        let directory = Sys.parentDirectory(path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let temp = Sys.join(directory, ".\(base).tmp.\(getpid()).\(UInt32.random(in: 0 ... .max))")
        let fd = try Sys.open(temp, O_WRONLY | O_CREAT | O_EXCL, mode: mode, operation: "create")
        var renamed = false
        defer {
            if !renamed { _ = unlink(temp) }
        }
        do {
            // The umask may have taken bits away; the caller asked for exactly this mode.
            guard fchmod(fd, mode) == 0 else { throw WALError.io("chmod", temp, errno: Sys.lastErrno) }
            try Sys.writeAll(fd, contents, path: temp)
            try Sys.fsync(fd, path: temp)
        } catch {
            Sys.close(fd)
            throw error
        }
        Sys.close(fd)
        try Sys.rename(temp, path)
        renamed = true
        if syncDirectory { try fsyncDirectory(directory) }
    }

    /// mkdir -p whose new directories survive power loss: each one's parent is fsynced after it.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        try Sys.makeDirectories(path, mode: mode)
    }

    /// Makes the directory's entries (created, renamed, removed files) durable.
    public static func fsyncDirectory(_ path: String) throws {
        let fd = try Sys.open(path, O_RDONLY | O_DIRECTORY, operation: "open directory")
        defer { Sys.close(fd) }
        try Sys.fsync(fd, path: path)
    }
}
