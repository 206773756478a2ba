#if canImport(Glibc)
import Glibc
#endif

/// A segment file seen through a buffer of a few hundred KiB that slides forward, so a scan holds
/// that much of a 64 MiB segment at a time instead of all of it. The bytes a scan checks are then
/// still in the CPU's cache when it decodes them, and a resume's peak memory no longer includes the
/// segment (the fresh pages of a whole-file buffer also cost a page fault each).
///
/// Like `Sys.readFile`, it reads the file as it was when opened: `size` is its length then, and it
/// only shrinks if the file turns out shorter (it was cut while being read).
final class WALSegmentWindow {
    static let defaultChunkSize = 256 << 10

    let path: String
    private let fd: Int32
    /// Length of the file as read: its length at open, or less if it was cut since.
    private(set) var size: Int
    private var buffer: UnsafeMutableRawBufferPointer
    /// File offset of `buffer[0]`, and how many bytes from there are loaded.
    private var start = 0
    private var filled = 0

    init(path: String, chunkSize: Int = defaultChunkSize) throws {
        let fd = try Sys.open(path, O_RDONLY)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = Sys.lastErrno
            Sys.close(fd)
            throw WALError.io("stat", path, errno: code)
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            Sys.close(fd)
            throw WALError.io("read", path, errno: EISDIR, hint: "expected a regular file")
        }
        let size = Int(info.st_size)
        self.path = path
        self.fd = fd
        self.size = size
        // No bigger than the file: most journals are a few KiB, and `flow list` reads thousands.
        let smallest = WALFormat.segmentHeaderSize + WALFormat.recordHeaderSize
        self.buffer = .allocate(byteCount: max(min(chunkSize, size), smallest), alignment: 16)
    }

    deinit {
        Sys.close(fd)
        buffer.deallocate()
    }

    /// The file's bytes `offset ..< offset + count`, valid until the next call; nil when the file
    /// ends before them.
    func bytes(at offset: Int, count: Int) throws -> UnsafeRawBufferPointer? {
        if offset >= start && offset + count <= start + filled {
            return UnsafeRawBufferPointer(rebasing: buffer[(offset - start)..<(offset - start + count)])
        }
        guard offset + count <= size else { return nil }
        try load(from: offset, atLeast: count)
        guard count <= filled else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }

    /// The file's bytes from `offset` to its end, copied: what the whole-segment checks need once
    /// something is not a plain sequence of whole records (damage, an oversized record).
    func rest(from offset: Int) throws -> [UInt8] {
        let count = max(size - offset, 0)
        var got = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            got = try readFully(into: UnsafeMutableRawBufferPointer(out), at: offset)
            initialized = got
        }
        if got < count { size = offset + got }
        return bytes
    }

    /// Moves the loaded bytes from `offset` on to the front of the buffer (growing it for a record
    /// larger than the buffer) and reads after them as much as fits.
    private func load(from offset: Int, atLeast count: Int) throws {
        var kept = 0
        if offset >= start && offset < start + filled {
            kept = start + filled - offset
            if offset > start, let base = buffer.baseAddress {
                base.copyMemory(from: base + (offset - start), byteCount: kept)
            }
        }
        if count > buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
            if kept > 0 { grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: kept) }
            buffer.deallocate()
            buffer = grown
        }
        start = offset
        filled = kept
        let wanted = min(buffer.count, size - offset)
        guard wanted > kept else { return }
        let into = UnsafeMutableRawBufferPointer(rebasing: buffer[kept..<wanted])
        let got = try readFully(into: into, at: offset + kept)
        filled += got
        if got < into.count { size = offset + filled }
    }

    /// Reads until `into` is full or the file ends; returns the bytes read.
    private func readFully(into: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < into.count {
            let n = pread(fd, into.baseAddress! + done, into.count - done, off_t(offset + done))
            if n > 0 { done += n; continue }
            if n == 0 { break }  // shorter than fstat said: take what is there
            if Sys.lastErrno == EINTR { continue }
            throw WALError.io("read", path, errno: Sys.lastErrno)
        }
        return done
    }
}
