#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the system calls FlowWAL makes: they retry EINTR, finish partial reads and
/// writes, and turn failures into WALError with the path and errno.
enum Sys {
    static var lastErrno: Int32 { Glibc.errno }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600, operation: String = "open") throws -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            let code = lastErrno
            if code == EINTR { continue }
            if code == ENOENT {
                throw WALError(code: .notFound, message: "cannot \(operation) \(path): no such file or directory",
                               path: path, errno: code)
            }
            throw WALError.io(operation, path, errno: code)
        }
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// Reads the whole file with one buffer: a scan then walks records without further syscalls.
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw WALError.io("stat", path, errno: lastErrno) }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw WALError.io("read", path, errno: EISDIR, hint: "expected a regular file")
        }
        let size = Int(info.st_size)
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = Glibc.read(fd, buffer.baseAddress! + count, size - count)
                if n > 0 { count += n; continue }
                if n == 0 { break }  // shrank since fstat: take what is there
                if lastErrno == EINTR { continue }
                throw WALError.io("read", path, errno: lastErrno)
            }
        }
    }

    static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n >= 0 { done += n; continue }
            if lastErrno == EINTR { continue }
            throw WALError.io("write to", path, errno: lastErrno)
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try pwriteAll(fd, $0, at: 0, path: path) }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        while Glibc.fsync(fd) != 0 {
            if lastErrno != EINTR { throw WALError.io("fsync", path, errno: lastErrno) }
        }
        SyncWitness.note(path, call: "fsync")
    }

    static func fdatasync(_ fd: Int32, path: String) throws {
        while Glibc.fdatasync(fd) != 0 {
            if lastErrno != EINTR { throw WALError.io("fdatasync", path, errno: lastErrno) }
        }
        SyncWitness.note(path, call: "fdatasync")
    }

    static func ftruncate(_ fd: Int32, to length: UInt64, path: String) throws {
        while Glibc.ftruncate(fd, off_t(length)) != 0 {
            if lastErrno != EINTR { throw WALError.io("truncate", path, errno: lastErrno) }
        }
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw WALError.io("rename \(from) to", to, errno: lastErrno) }
    }

    static func unlink(_ path: String) throws {
        guard Glibc.unlink(path) == 0 || lastErrno == ENOENT else { throw WALError.io("remove", path, errno: lastErrno) }
    }

    /// nil if `path` does not exist; throws for other stat failures.
    static func fileType(_ path: String) throws -> mode_t? {
        var info = stat()
        if lstat(path, &info) == 0 { return info.st_mode & S_IFMT }
        if lastErrno == ENOENT { return nil }
        throw WALError.io("stat", path, errno: lastErrno)
    }

    static func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_size) : nil
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Entry names in `path` (without "." and ".."), unsorted.
    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            let code = lastErrno
            if code == ENOENT {
                throw WALError(code: .notFound, message: "no WAL at \(path): the directory does not exist",
                               path: path, errno: code)
            }
            throw WALError.io("list directory", path, errno: code)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// mkdir -p; directories it creates get `mode`, and their parents are fsynced so they persist.
    static func makeDirectories(_ path: String, mode: mode_t) throws {
        if let type = try fileType(path) {
            if type == S_IFDIR { return }
            throw WALError.io("create directory", path, errno: ENOTDIR, hint: "a file is in the way")
        }
        let parent = parentDirectory(path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && lastErrno != EEXIST {
            throw WALError.io("create directory", path, errno: lastErrno)
        }
        try AtomicFile.fsyncDirectory(parent)
    }

    static func parentDirectory(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Current UTC time as "2026-11-26T16:00:00Z".
    static func isoTimestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
