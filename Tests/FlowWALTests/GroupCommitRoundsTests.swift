import Foundation
import Testing
@testable import FlowWAL

#if canImport(Glibc)
import Glibc
#endif

/// GroupCommit with real logs, a real shared log and real fdatasyncs. A round is held on the
/// leader's thread (`beforeRound`) until the others are queued, so which logs share a round is
/// certain, not a matter of timing.
@Suite("group commit rounds")
struct GroupCommitRoundsTests {
    /// Holds the first round until `count` logs wait for the next one (or 20 s, when the test fails
    /// on the membership it checks); fails the rounds numbered in `failing`.
    final class Gate: @unchecked Sendable {
        var group: GroupCommit?
        let count: Int
        let failing: Set<Int>
        init(count: Int, failing: Set<Int> = []) {
            self.count = count
            self.failing = failing
        }

        func hold(_ size: Int) throws {
            guard let group else { return }
            if failing.contains(group.rounds) {
                throw WALError(code: .io, message: "fdatasync of the shared log failed (injected)", errno: EIO)
            }
            guard size == 1, group.rounds == 1 else { return }
            let giveUp = ContinuousClock.now + .seconds(20)
            while group.waitingCount < count && ContinuousClock.now < giveUp { usleep(500) }
        }
    }

    static func options(_ dir: TempDir) -> WALOptions {
        var options = WALOptions()
        options.groupCommit = true
        options.sharedLogDirectory = dir.sub("commit")
        return options
    }

    /// A new log in `dir/name` that commits through `group`.
    static func writer(_ dir: TempDir, _ name: String, group: GroupCommit) throws -> WALWriter {
        let writer = try WALWriter.create(directory: dir.sub(name), options: options(dir))
        writer.commitGroup = group
        return writer
    }

    func writers(_ dir: TempDir, _ count: Int, group: GroupCommit) throws -> [WALWriter] {
        try (0..<count).map { i in
            let writer = try Self.writer(dir, "log\(i)", group: group)
            try writer.append(type: 1, payload: Array("record of log \(i)".utf8))
            return writer
        }
    }

    /// `logs` logs of one group whose first has started its commit: that round (of one) is held
    /// until `waiting` others wait, so every later commit must wait for the next round.
    func heldRound(_ dir: TempDir, logs count: Int, releasedWhenWaiting waiting: Int, failing: Set<Int> = [])
        async throws -> (GroupCommit, [WALWriter], Task<Void, any Error>)
    {
        let gate = Gate(count: waiting, failing: failing)
        let group = GroupCommit(directory: dir.sub("commit"), beforeRound: { try gate.hold($0) })
        gate.group = group
        let logs = try writers(dir, count, group: group)
        let first = UncheckedBox(logs[0])
        let leader = Task { try await first.value.syncSuspending() }
        let giveUp = ContinuousClock.now + .seconds(20)
        while group.rounds < 1 && ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(1)) }
        return (group, logs, leader)
    }

    /// The generations (directories) in the shared log directory, and the frames each holds.
    static func generations(_ dir: TempDir) throws -> [String: [SharedLogFrame]] {
        let shared = dir.sub("commit")
        var found: [String: [SharedLogFrame]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: shared) where name != "recovery.lock" {
            found[name] = try WALReader.read(directory: shared + "/" + name).records.map {
                try #require(SharedLogFrame.decode($0.payload, relativeTo: dir.path))
            }
        }
        return found
    }

    @Test("logs that commit while a round is in flight share the next: one fdatasync of the shared log, no sync of their own")
    func waitersShareTheNextRound() async throws {
        let dir = TempDir()
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
        // The records are durable in the shared log, as frames naming their segment and offset.
        let generations = try Self.generations(dir)
        #expect(generations.count == 1)
        let frames = try #require(generations.values.first)
        #expect(frames.count == 16)
        for (i, log) in logs.enumerated() {
            #expect(log.syncCount == 0 && log.sharedCommitCount == 1 && !log.hasUnsyncedRecords)
            let frame = try #require(frames.first { $0.segmentPath == segmentPath(dir.sub("log\(i)"), 1) })
            #expect(frame.offset == UInt64(segmentHeaderSize))
            #expect(frame.bytes == Array(try readBytes(segmentPath(dir.sub("log\(i)"), 1)).dropFirst(segmentHeaderSize)))
            try log.close()
            #expect(log.syncCount == 0, "a log committed by the shared log does not sync on close")
            let read = try WALReader.read(directory: dir.sub("log\(i)"))
            #expect(read.records.map { String(decoding: $0.payload, as: UTF8.self) } == ["record of log \(i)"])
        }
        // Retiring it syncs each segment and removes it.
        try group.finish()
        #expect(try Self.generations(dir).isEmpty)
    }

    @Test("a failed round fails every log in it, each then refuses work; the next round is unaffected")
    func failedRoundFailsItsLogs() async throws {
        let dir = TempDir()
        let (group, logs, leader) = try await heldRound(dir, logs: 4, releasedWhenWaiting: 3, failing: [2])
        var errors: [String] = []
        try await withThrowingTaskGroup(of: String?.self) { tasks in
            for log in logs.dropFirst() {
                let box = UncheckedBox(log)
                tasks.addTask {
                    do { try await box.value.syncSuspending(); return nil } catch { return "\(error)" }
                }
            }
            for try await error in tasks { if let error { errors.append(error) } }
        }
        try await leader.value
        #expect(group.rounds == 2)
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.allSatisfy { $0.contains("shared log failed (injected)") && $0.contains("unusable") }, "\(errors)")
        #expect(throws: WALError.self) { try logs[2].append(type: 1, payload: [1]) }
        // A log in a later round commits normally, into a new generation.
        try logs[0].append(type: 1, payload: [2])
        try await logs[0].syncSuspending()
        #expect(logs[0].sharedCommitCount == 2)
        #expect(try Self.generations(dir).count == 1)
        try group.finish()
    }

    @Test("a log committing alone is one round of one: one frame, one fdatasync of the shared log")
    func aloneIsOneRoundOfOne() async throws {
        let dir = TempDir()
        let group = GroupCommit(directory: dir.sub("commit"))
        let writer = try Self.writer(dir, "alone", group: group)
        for i in 0..<5 {
            try writer.append(type: 1, payload: [UInt8(i)])
            try writer.append(type: 2, payload: [UInt8(i), 9])
            try await writer.commitSuspending()
        }
        #expect(writer.syncCount == 0 && writer.sharedCommitCount == 5)
        #expect(group.rounds == 5)
        // Each frame holds the two records appended since the commit before it, back to back.
        let frames = try #require(try Self.generations(dir).values.first)
        #expect(frames.count == 5)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.offset + UInt64($0.bytes.count) == $1.offset })
        #expect(frames.allSatisfy { $0.bytes.count == 2 * recordHeaderSize + 3 })
        try writer.close()
        #expect(try WALReader.read(directory: dir.sub("alone")).records.map(\.payload)
            == (0..<5).flatMap { [[UInt8($0)], [UInt8($0), 9]] })
        try group.finish()
        #expect(try Self.generations(dir).isEmpty)
    }

    @Test("group commit is opt-in, and without a shared log directory a log fdatasyncs its own segment")
    func optIn() async throws {
        #expect(!WALOptions().groupCommit)
        let dir = TempDir()
        var options = WALOptions()
        options.groupCommit = true
        let writer = try WALWriter.create(directory: dir.sub("log"), options: options)
        try writer.append(type: 1, payload: [1])
        try await writer.commitSuspending()
        #expect(writer.syncCount == 1 && writer.sharedCommitCount == 0)
        try writer.close()
    }

    @Test("a generation past its size is retired after its round: segments synced, directory removed, a new one started")
    func retiresBySize() async throws {
        let dir = TempDir()
        let group = GroupCommit(directory: dir.sub("commit"), generationBytes: 4096)
        let writer = try Self.writer(dir, "log", group: group)
        for i in 0..<40 {
            try writer.append(type: 1, payload: [UInt8](repeating: UInt8(i), count: 300))
            try await writer.commitSuspending()
        }
        // 40 frames of about 370 bytes: a generation holds 12, so 3 were retired in the background.
        let giveUp = ContinuousClock.now + .seconds(20)
        while try Self.generations(dir).count > 1 && ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(5)) }
        let left = try Self.generations(dir)
        #expect(left.count == 1)
        #expect((left.values.first?.count ?? 0) < 12)
        try writer.close()
        #expect(try WALReader.read(directory: dir.sub("log")).records.count == 40)
        try group.finish()
    }
}

/// Moves a non-Sendable writer into a child task; each writer is used by one task at a time.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
