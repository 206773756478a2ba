import FlowWAL
#if canImport(Glibc)
import Glibc
#endif

/// The bytes of `HOME/index`: records appended by many processes at once, whole frames in one
/// `write()` to a descriptor opened with O_APPEND (the kernel places each write at the end under
/// the inode's lock, so concurrent writers do not interleave), never synced.
///
///     frame = magic (4 bytes F1 0E 1D 78) | payload length (u32 LE) | CRC32C of length and payload (u32 LE) | payload
///
/// Nothing here trusts the file: a reader skips what is not a whole frame with a good CRC and
/// looks for the next magic, so a torn or garbled stretch loses only the records in it.
enum IndexFile {
    static let magic: [UInt8] = [0xF1, 0x0E, 0x1D, 0x78]
    static let headerSize = 12
    /// Bigger summaries (a large result or error) are not indexed: they are read from the
    /// journal, and every frame stays one small write.
    static let maxPayload = 32 << 10

    static func frame(_ payload: [UInt8]) -> [UInt8]? {
        guard payload.count <= maxPayload else { return nil }
        var out = magic
        out.reserveCapacity(headerSize + payload.count)
        let length = UInt32(payload.count)
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: length >> (8 * UInt32(i)))) }
        let crc = checksum(length: Array(out[4..<8]), payload: payload)
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))) }
        out.append(contentsOf: payload)
        return out
    }

    private static func checksum(length: [UInt8], payload: [UInt8]) -> UInt32 {
        let seed = length.withUnsafeBytes { CRC32C.checksum($0) }
        return payload.withUnsafeBytes { CRC32C.checksum($0, seed: seed) }
    }

    /// Where the whole frames are in a stretch of the file.
    struct Scan {
        /// Payload ranges, in file order.
        var payloads: [Range<Int>] = []
        /// Bytes that belong to no whole frame, not counting an unfinished frame at the end.
        var garbage = 0
        /// Just past the last whole frame: bytes after it may be a frame still being written.
        var validEnd = 0
    }

    static func scan(_ bytes: UnsafeRawBufferPointer) -> Scan {
        var s = Scan()
        let n = bytes.count
        s.payloads.reserveCapacity(n / 128)
        var o = 0
        var skipped = 0
        while o + headerSize <= n {
            if bytes[o] == magic[0], bytes[o + 1] == magic[1], bytes[o + 2] == magic[2], bytes[o + 3] == magic[3] {
                let length = Int(u32(bytes, o + 4))
                if length <= maxPayload, o + headerSize + length <= n {
                    let seed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[(o + 4)..<(o + 8)]))
                    let body = UnsafeRawBufferPointer(rebasing: bytes[(o + headerSize)..<(o + headerSize + length)])
                    if CRC32C.checksum(body, seed: seed) == u32(bytes, o + 8) {
                        s.garbage += skipped
                        skipped = 0
                        s.payloads.append((o + headerSize)..<(o + headerSize + length))
                        o += headerSize + length
                        s.validEnd = o
                        continue
                    }
                }
            }
            skipped += 1
            o += 1
        }
        // What follows the last whole frame counts as garbage only if a whole frame could have
        // fitted after it; otherwise it may be an append in progress.
        if n - s.validEnd > headerSize + maxPayload { s.garbage += n - s.validEnd }
        return s
    }

    private static func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    // MARK: reading

    /// The file's bytes, or nil when it cannot be read (missing, a directory, no permission).
    static func read(path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return read(fd: fd, from: 0)
    }

    /// From `offset` to the end of the open file, as it is now.
    static func read(fd: Int32, from offset: Int) -> [UInt8]? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        // Room for what appenders add meanwhile; a file that outgrew it is read again, larger.
        var capacity = max(0, Int(st.st_size) - offset) + 64 << 10
        while true {
            var failed = false
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                count = 0
                while count < capacity {
                    let n = pread(fd, buf.baseAddress! + count, capacity - count, off_t(offset + count))
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failed = true }
                    if n <= 0 { break }
                    count += n
                }
            }
            if failed { return nil }
            if bytes.count < capacity { return bytes }
            capacity *= 2
        }
    }

    // MARK: writing

    /// Appends `bytes` (whole frames) in one write. If a compaction replaced the file meanwhile
    /// (or it was removed), the frames went to a file no reader will see: they are written again
    /// to the one now at `path`. Frames are facts, so a duplicate is harmless.
    @discardableResult
    static func append(_ bytes: [UInt8], to path: String) -> Bool {
        for _ in 0..<5 {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return false }
            let written = writeAll(fd, bytes)
            var mine = stat(), current = stat()
            let same = written && fstat(fd, &mine) == 0 && stat(path, &current) == 0
                && mine.st_ino == current.st_ino && mine.st_dev == current.st_dev
            close(fd)
            if !written { return false }
            if same { return true }
        }
        return false
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Rewrites the file as `rebuild` makes it from the current contents, then renames it into
    /// place. Only one compaction of a file runs at a time (an exclusive flock on it; a busy
    /// lock means another is at work, and this one gives up). Writers do not lock: frames they
    /// append to the old file after it was read are copied over after the rename, and a writer
    /// that finds the file replaced under it writes again (`append`).
    @discardableResult
    static func compact(path: String, rebuild: ([UInt8]) -> [UInt8]?) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        var mine = stat(), current = stat()
        guard fstat(fd, &mine) == 0, stat(path, &current) == 0, mine.st_ino == current.st_ino, mine.st_dev == current.st_dev,
              let old = read(fd: fd, from: 0), let fresh = rebuild(old)
        else { return false }
        removeStaleTemporaries(of: path)
        let temporary = path + ".compacting-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let out = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard out >= 0 else { return false }
        let written = writeAll(out, fresh)
        close(out)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        let validEnd = old.withUnsafeBytes { scan($0).validEnd }
        if let tail = read(fd: fd, from: validEnd), !tail.isEmpty {
            let frames = tail.withUnsafeBytes { buf in
                scan(buf).payloads.flatMap { r in Array(buf[(r.lowerBound - headerSize)..<r.upperBound]) }
            }
            if !frames.isEmpty { append(frames, to: path) }
        }
        return true
    }

    /// Left by a compaction that died before its rename; a live one renames within moments.
    private static func removeStaleTemporaries(of path: String) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash]), prefix = String(path[path.index(after: slash)...]) + ".compacting-"
        let now = time(nil)
        for name in FlowHome.entries(of: directory) ?? [] where name.hasPrefix(prefix) {
            var st = stat()
            let full = directory + "/" + name
            if stat(full, &st) == 0, now - st.st_mtim.tv_sec > 60 { unlink(full) }
        }
    }
}
