#if canImport(Glibc)
import Glibc
#endif

/// This boot of the machine, as a number. The index is never synced, so a crash of the machine
/// may lose any of its recent records, an invalidation among them, while the journals (synced)
/// keep the change it announced: entries written before this boot are not trusted.
enum BootIdentity {
    /// FNV-1a of the kernel's boot id; 0 where it cannot be read (every boot then looks alike).
    static let current: UInt64 = {
        let fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in buffer.prefix(n) where b != UInt8(ascii: "\n") {
            hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }()
}
