import FlowEngine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// flow_wal_fsync_seconds: this server cannot see the fsyncs of the processes that drive
/// executions, so it measures what they would cost: the same syscalls the WAL makes (a small
/// write then fdatasync) on a file in the home's file system, a few samples per scrape.
struct FsyncProbe: Sendable {
    let path: String

    init(home: FlowHome) { path = home.root + "/.probe" }

    /// The seconds each sample took; empty when the home cannot be written.
    func sample(count: Int = 3) -> [Double] {
        try? FlowHome.makeDirectories(home)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return [] }
        defer {
            close(fd)
            unlink(path)
        }
        var out: [Double] = []
        let block = [UInt8](repeating: 0x2a, count: 512)
        for _ in 0..<count {
            let start = ContinuousClock.now
            let wrote = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard wrote == block.count, fdatasync(fd) == 0 else { break }
            out.append((ContinuousClock.now - start).secondsValue)
        }
        return out
    }

    private var home: String { String(path.dropLast("/.probe".count)) }
}

extension Duration {
    var secondsValue: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
