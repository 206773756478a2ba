import FlowWAL
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let hostName = ProcessInfo.processInfo.hostName

struct FileLockTests {
    @Test func secondAcquireIsRefusedNamingTheHolder() throws {
        // flock locks belong to the open file description, so a second FileLock in this same process
        // conflicts exactly as another process would.
        let dir = TempDir()
        let path = dir.sub("lock")
        let held = try FileLock.acquire(path: path)
        let error = expectError(.locked) { _ = try FileLock.acquire(path: path) }
        #expect(error?.path == path)
        #expect(error?.message.contains("pid \(getpid())") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("on host \(hostName)") == true)
        #expect(error?.message.contains("since 20") == true)
        #expect(error?.message.contains("(lock file \(path))") == true)
        held.release()
    }

    @Test func releaseLetsTheNextAcquireSucceed() throws {
        let dir = TempDir()
        let path = dir.sub("lock")
        let first = try FileLock.acquire(path: path)
        first.release()
        first.release()  // idempotent
        let second = try FileLock.acquire(path: path)
        expectError(.locked) { _ = try FileLock.acquire(path: path) }
        second.release()
    }

    @Test func deinitReleases() throws {
        let dir = TempDir()
        let path = dir.sub("lock")
        do { _ = try FileLock.acquire(path: path) }
        let again = try FileLock.acquire(path: path)
        again.release()
    }

    @Test func holderIsNilWhenFreeAndNamesTheHolderWhenHeld() throws {
        let dir = TempDir()
        let path = dir.sub("lock")
        #expect(FileLock.holder(path: path) == nil, "no lock file")
        let lock = try FileLock.acquire(path: path, extra: "run=abc123")
        let text = try #require(FileLock.holder(path: path))
        #expect(text.hasPrefix("pid=\(getpid()) host=\(hostName) since="))
        #expect(text.hasSuffix(" run=abc123"))
        // holder() only peeks: the lock is still held.
        expectError(.locked) { _ = try FileLock.acquire(path: path) }
        lock.release()
        #expect(FileLock.holder(path: path) == nil)
        #expect(fileExists(path), "the lock file is never deleted")
    }

    @Test func extraTextAppearsInTheRefusal() throws {
        let dir = TempDir()
        let path = dir.sub("lock")
        let lock = try FileLock.acquire(path: path, extra: "execution=deploy-42")
        let error = expectError(.locked) { _ = try FileLock.acquire(path: path, extra: "other") }
        #expect(error?.message.contains("execution=deploy-42") == true)
        lock.release()
    }

    @Test func lockFileHasMode0600() throws {
        let dir = TempDir()
        let path = dir.sub("lock")
        let lock = try FileLock.acquire(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        lock.release()
    }

    @Test func lockInAMissingDirectoryIsNotFound() {
        let dir = TempDir()
        expectError(.notFound) { _ = try FileLock.acquire(path: dir.sub("missing/lock")) }
    }
}
