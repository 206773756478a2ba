import Foundation
import Testing
@testable import FlowWAL

#if canImport(Glibc)
import Glibc
#endif

/// GroupCommit with real logs and real syncs (fdatasync for a round of one, syncfs for more), on a
/// tmpfs when there is one: a syncfs of the disk would also write back whatever else the machine
/// has just written (CI: the build) and stall the other tests running meanwhile. A round is held
/// on the leader's thread (`beforeRound`) until the others are queued, so which logs share a round
/// is certain, not a matter of timing.
@Suite("group commit rounds")
struct GroupCommitRoundsTests {
    /// Releases the first round once `count` logs wait for the next one (or after 20 s, when the
    /// test fails on the membership it checks).
    final class Gate: @unchecked Sendable {
        let released = DispatchSemaphore(value: 0)
        var group: GroupCommit?
        let count: Int
        init(count: Int) { self.count = count }

        func hold(_ size: Int) {
            guard let group, size == 1, group.rounds == 1 else { return }
            let giveUp = ContinuousClock.now + .seconds(20)
            while group.waitingCount < count && ContinuousClock.now < giveUp { usleep(500) }
        }
    }

    func writers(_ dir: TempDir, _ count: Int, group: GroupCommit) throws -> [WALWriter] {
        try (0..<count).map { i in
            var options = WALOptions()
            options.groupCommit = true
            let writer = try WALWriter.create(directory: dir.sub("log\(i)"), options: options)
            writer.commitGroup = group
            try writer.append(type: 1, payload: Array("record of log \(i)".utf8))
            return writer
        }
    }

    /// `logs` logs of one group whose first has started its sync: that round (of one) is held until
    /// `count` others wait, so every later commit must wait for the next round.
    func heldRound(_ dir: TempDir, logs count: Int, releasedWhenWaiting waiting: Int) async throws
        -> (GroupCommit, [WALWriter], Task<Void, any Error>)
    {
        let gate = Gate(count: waiting)
        let group = GroupCommit(beforeRound: { gate.hold($0) })
        gate.group = group
        let logs = try writers(dir, count, group: group)
        let first = UncheckedBox(logs[0])
        let leader = Task { try await first.value.syncSuspending() }
        let giveUp = ContinuousClock.now + .seconds(20)
        while group.rounds < 1 && ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(1)) }
        return (group, logs, leader)
    }

    @Test("logs that commit while a sync is in flight share the next round: one syncfs for all of them")
    func waitersShareTheNextRound() async throws {
        let dir = TempDir(under: memoryFileSystem)
        let (group, logs, leader) = try await heldRound(dir, logs: 16, releasedWhenWaiting: 15)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for log in logs.dropFirst() {
                let box = UncheckedBox(log)
                tasks.addTask { try await box.value.syncSuspending() }
            }
            try await tasks.waitForAll()
        }
        try await leader.value
        #expect(group.rounds == 2, "16 commits took \(group.rounds) rounds")
        #expect(group.largestRound == 15)
        for (i, log) in logs.enumerated() {
            #expect(log.syncCount == 1 && !log.hasUnsyncedRecords)
            try log.close()
            let read = try WALReader.read(directory: dir.sub("log\(i)"))
            #expect(read.records.map { String(decoding: $0.payload, as: UTF8.self) } == ["record of log \(i)"])
        }
    }

    @Test("a failed round fails every log in it, each then refuses work; the next round is unaffected")
    func failedRoundFailsItsLogs() async throws {
        let dir = TempDir(under: memoryFileSystem)
        let (group, logs, leader) = try await heldRound(dir, logs: 4, releasedWhenWaiting: 3)
        let giveUp = ContinuousClock.now + .seconds(20)
        // The round's syncfs is made on its first log's descriptor: an invalid one fails the round
        // as a write-back error would (-1, not a closed number another test could reopen).
        let broken = logs[1]
        let realFD = broken.fd
        broken.fd = -1
        let order = [broken, logs[2], logs[3]]
        var errors: [String] = []
        try await withThrowingTaskGroup(of: String?.self) { tasks in
            for (k, log) in order.enumerated() {
                // Join in this order: the broken log first, so its descriptor is the round's.
                while group.waitingCount < k && ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(1)) }
                let box = UncheckedBox(log)
                tasks.addTask {
                    do { try await box.value.syncSuspending(); return nil } catch { return "\(error)" }
                }
                // (Once all three wait, the held round ends and the next takes them: rounds reaches 2.)
                while group.waitingCount < k + 1 && group.rounds < 2 && ContinuousClock.now < giveUp {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            for try await error in tasks { if let error { errors.append(error) } }
        }
        try await leader.value
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.allSatisfy { $0.contains("syncfs (a group commit of 3 logs)") && $0.contains("unusable") }, "\(errors)")
        #expect(throws: WALError.self) { try logs[2].append(type: 1, payload: [1]) }
        broken.fd = realFD  // closed with the writer
        // A log in a later round syncs normally.
        try logs[0].append(type: 1, payload: [2])
        try await logs[0].syncSuspending()
        #expect(logs[0].syncCount == 2)
    }

    @Test("a log committing alone is an fdatasync of its own segment, through the process's group")
    func aloneIsOneRoundOfOne() async throws {
        let dir = TempDir(under: memoryFileSystem)
        var options = WALOptions()
        options.groupCommit = true
        let writer = try WALWriter.create(directory: dir.sub("alone"), options: options)
        let before = GroupCommitStatistics.rounds
        for i in 0..<5 {
            try writer.append(type: 1, payload: [UInt8(i)])
            try await writer.commitSuspending()
        }
        #expect(writer.syncCount == 5)
        #expect(GroupCommitStatistics.rounds - before >= 5)
        try writer.close()
        #expect(try WALReader.read(directory: dir.sub("alone")).records.map(\.payload) == (0..<5).map { [UInt8($0)] })
    }
}

@Suite("group commit: where syncfs is trusted")
struct GroupCommitFileSystemTests {
    @Test("local disk file systems group their logs; FUSE, virtiofs and NFS fdatasync each log")
    func trustedFileSystems() throws {
        #expect(!WALOptions().groupCommit, "group commit is opt-in: a round waits for every writer of the file system")
        for local: Int64 in [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994, 0x794C_7630] {
            #expect(GroupCommit.flushesOnSyncfs(local), "\(String(local, radix: 16))")
        }
        // FUSE (virtiofs, sshfs), NFS, SMB, 9p: a syncfs there may report success without a flush.
        for remote: Int64 in [0x6573_5546, 0x6969, 0xFE53_4D42, 0x0102_1997] {
            #expect(!GroupCommit.flushesOnSyncfs(remote), "\(String(remote, radix: 16))")
        }
        // And the lookup on a real segment agrees with its file system's type.
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.sub("log"))
        let type = try Sys.fileSystemType(writer.fd, path: dir.path)
        // The same number coreutils reads: `stat -f -c %t` prints f_type in hex.
        let stat = Process()
        stat.executableURL = URL(fileURLWithPath: "/usr/bin/stat")
        stat.arguments = ["-f", "-c", "%t", dir.path]
        let out = Pipe()
        stat.standardOutput = out
        try stat.run()
        stat.waitUntilExit()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(Int64(printed.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16) == type)
        #expect((try GroupCommit.group(for: writer.fd, path: dir.path) != nil) == GroupCommit.flushesOnSyncfs(type))
    }
}

/// Moves a non-Sendable writer into a child task; each writer is used by one task at a time.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// /dev/shm when it is a writable directory (a tmpfs on Linux), else /tmp.
let memoryFileSystem = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
