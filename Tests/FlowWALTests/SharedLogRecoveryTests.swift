import Foundation
import Testing
@testable import FlowWAL

#if canImport(Glibc)
import Glibc
#endif

/// What a crash of the machine does to logs committed through a group-commit shared log, and how
/// the next open puts it back. The loss is made by hand on real files (a segment cut back or
/// zero-filled as a power loss leaves it: the page cache gone, the shared log durable); the
/// shared log is the one real rounds wrote. A real process killed mid-rollout is in
/// FlowEngineTests (SharedLogCrashTests).
@Suite("group commit: recovery from the shared log")
struct SharedLogRecoveryTests {
    /// `logs` logs that each commit `commits` times (two records per commit) through one group,
    /// then close; the group is then dropped unretired, as by a process that died. Returns each
    /// segment's whole bytes as written.
    func committedThenAbandoned(_ dir: TempDir, logs: Int, commits: Int, ownSyncFirst: Bool = false) async throws -> [[UInt8]] {
        do {
            let group = GroupCommit(directory: dir.sub("commit"))
            for i in 0..<logs {
                let writer = try GroupCommitRoundsTests.writer(dir, "log\(i)", group: group)
                if ownSyncFirst {
                    try writer.append(type: 3, payload: Array("synced on its own".utf8))
                    try writer.sync()
                }
                for c in 0..<commits {
                    try writer.append(type: 1, payload: Array("log \(i) step \(c)".utf8))
                    try writer.append(type: 2, payload: Array("log \(i) step \(c) done".utf8))
                    try await writer.commitSuspending()
                }
                try writer.close()
            }
        }
        // The leader thread lets go of the group just after its last round.
        let giveUp = ContinuousClock.now + .seconds(20)
        while try generations(dir).contains(where: { FileLock.holder(path: dir.sub("commit/\($0)/lock")) != nil })
            && ContinuousClock.now < giveUp
        {
            try await Task.sleep(for: .milliseconds(2))
        }
        return try (0..<logs).map { try readBytes(segmentPath(dir.sub("log\($0)"), 1)) }
    }

    func generations(_ dir: TempDir) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.sub("commit")).filter { $0 != "recovery.lock" }
    }

    /// The segment of the one generation in the shared log directory.
    func sharedLogFile(_ dir: TempDir) throws -> String {
        segmentPath(dir.sub("commit/" + (try #require(try generations(dir).first))), 1)
    }

    func openWithRecovery(_ dir: TempDir, _ log: String) throws -> (writer: WALWriter, records: [WALRecord], repair: WALRepair?) {
        var options = WALOptions()
        options.sharedLogDirectory = dir.sub("commit")
        return try WALWriter.open(directory: dir.sub(log), options: options)
    }

    @Test("records only the shared log holds are written back before the log opens: cut off, or zeros where they were")
    func writesBackWhatWasLost() async throws {
        let dir = TempDir()
        let whole = try await committedThenAbandoned(dir, logs: 3, commits: 5)
        #expect(try generations(dir).count == 1)
        // log0: nothing past its header reached the disk. log1: the file was extended but the last
        // 40 bytes (inside its last frame) never written (zeros). log2: the machine did not lose it.
        try writeBytes(segmentPath(dir.sub("log0"), 1), Array(whole[0].prefix(segmentHeaderSize)))
        try writeBytes(segmentPath(dir.sub("log1"), 1), Array(whole[1].dropLast(40)) + [UInt8](repeating: 0, count: 40))
        #expect(try WALReader.read(directory: dir.sub("log0")).records.isEmpty)

        let report = try SharedLogRecovery.recover(directory: dir.sub("commit"))
        let lastFrameOfLog1 = 2 * recordHeaderSize + "log 1 step 4".utf8.count + "log 1 step 4 done".utf8.count
        #expect(report == .init(generations: 1, frames: 15, framesWritten: 6,
                                bytesWritten: whole[0].count - segmentHeaderSize + lastFrameOfLog1),
                "5 frames of log0 and the last of log1")
        #expect(try generations(dir).isEmpty)
        for i in 0..<3 {
            #expect(try readBytes(segmentPath(dir.sub("log\(i)"), 1)) == whole[i], "log\(i)")
            let opened = try openWithRecovery(dir, "log\(i)")
            #expect(opened.records.count == 10 && opened.repair == nil)
            try opened.writer.close()
        }
    }

    @Test("the open of a log recovers first: a resume never reads the shortened log")
    func openRecovers() async throws {
        let dir = TempDir()
        let whole = try await committedThenAbandoned(dir, logs: 2, commits: 3)
        try writeBytes(segmentPath(dir.sub("log1"), 1), Array(whole[1].prefix(segmentHeaderSize + 20)))
        let opened = try openWithRecovery(dir, "log1")
        #expect(opened.records.map { String(decoding: $0.payload, as: UTF8.self) }
            == (0..<3).flatMap { ["log 1 step \($0)", "log 1 step \($0) done"] })
        #expect(opened.repair == nil)
        try opened.writer.close()
        #expect(try generations(dir).isEmpty)
    }

    @Test("a generation whose process is alive is left alone")
    func liveGenerationUntouched() async throws {
        let dir = TempDir()
        let group = GroupCommit(directory: dir.sub("commit"))
        let writer = try GroupCommitRoundsTests.writer(dir, "log", group: group)
        try writer.append(type: 1, payload: [1])
        try await writer.commitSuspending()
        let report = try SharedLogRecovery.recover(directory: dir.sub("commit"))
        #expect(report.generations == 0)
        #expect(try generations(dir).count == 1)
        try writer.close()
        try group.finish()
        #expect(try generations(dir).isEmpty)
    }

    @Test("other bytes where a frame continues the segment: reported with the shared log and offset; nothing written, nothing removed")
    func conflictingBytesReported() async throws {
        let dir = TempDir()
        var whole = try await committedThenAbandoned(dir, logs: 1, commits: 3)
        whole[0][segmentHeaderSize + 30] ^= 0x5A
        let changed = whole[0]
        try writeBytes(segmentPath(dir.sub("log0"), 1), changed)
        let error = try #require(throws: WALError.self) { try SharedLogRecovery.recover(directory: dir.sub("commit")) }
        #expect(error.code == .corrupt)
        #expect(error.message.contains(segmentPath(dir.sub("log0"), 1)) && error.message.contains("other bytes at offset \(segmentHeaderSize + 30)"),
                "\(error.message)")
        #expect(error.path?.hasPrefix(dir.sub("commit/")) == true && error.offset != nil)
        #expect(try readBytes(segmentPath(dir.sub("log0"), 1)) == changed)
        #expect(try generations(dir).count == 1)
        #expect(throws: WALError.self) { _ = try openWithRecovery(dir, "log0") }
    }

    @Test("a segment that ends before a frame starts: the bytes between were lost; reported, nothing written")
    func gapReported() async throws {
        let dir = TempDir()
        let whole = try await committedThenAbandoned(dir, logs: 1, commits: 2, ownSyncFirst: true)
        let cut = Array(whole[0].prefix(segmentHeaderSize))
        try writeBytes(segmentPath(dir.sub("log0"), 1), cut)
        let error = try #require(throws: WALError.self) { try SharedLogRecovery.recover(directory: dir.sub("commit")) }
        #expect(error.code == .corrupt && error.message.contains("ends at \(segmentHeaderSize) bytes"), "\(error.message)")
        #expect(try readBytes(segmentPath(dir.sub("log0"), 1)) == cut)
        #expect(try generations(dir).count == 1)
    }

    @Test("frames of a log deleted since are passed over; a segment missing from a log that still exists is reported")
    func missingSegments() async throws {
        let dir = TempDir()
        _ = try await committedThenAbandoned(dir, logs: 2, commits: 2)
        try FileManager.default.removeItem(atPath: dir.sub("log0"))
        try FileManager.default.removeItem(atPath: segmentPath(dir.sub("log1"), 1))
        let error = try #require(throws: WALError.self) { try SharedLogRecovery.recover(directory: dir.sub("commit")) }
        #expect(error.message.contains("that segment is missing and its log has no later one"), "\(error.message)")
        // With log1 gone too, there is nothing to put back and nothing to keep.
        try FileManager.default.removeItem(atPath: dir.sub("log1"))
        let report = try SharedLogRecovery.recover(directory: dir.sub("commit"))
        #expect(report.generations == 1 && report.frames == 4 && report.framesWritten == 0)
        #expect(try generations(dir).isEmpty)
    }

    @Test("a torn last round of the shared log (never synced, never acknowledged) is ignored")
    func tornSharedTail() async throws {
        let dir = TempDir()
        let whole = try await committedThenAbandoned(dir, logs: 1, commits: 3)
        let generation = dir.sub("commit/" + (try #require(try generations(dir).first)))
        // A half-written frame over the zeros after the last one.
        let file = try sharedLogFile(dir)
        var bytes = try readBytes(file)
        let end = try WALReader.read(directory: generation).records.last.map { Int($0.position.offset) + recordHeaderSize + $0.payload.count } ?? 0
        bytes.replaceSubrange(end..<(end + 9), with: [40, 0, 0, 0, 1, 0, 0, 0, 0x77])
        try writeBytes(file, bytes)
        try writeBytes(segmentPath(dir.sub("log0"), 1), Array(whole[0].prefix(segmentHeaderSize)))
        let report = try SharedLogRecovery.recover(directory: dir.sub("commit"))
        #expect(report.frames == 3 && report.framesWritten == 3)
        #expect(try readBytes(segmentPath(dir.sub("log0"), 1)) == whole[0])
    }

    @Test("damage inside the shared log is reported with its file and offset, and nothing is applied")
    func damagedSharedLog() async throws {
        let dir = TempDir()
        let whole = try await committedThenAbandoned(dir, logs: 1, commits: 3)
        let file = try sharedLogFile(dir)
        var bytes = try readBytes(file)
        bytes[segmentHeaderSize + recordHeaderSize + 2] ^= 0xFF  // inside the first frame; two whole frames follow
        try writeBytes(file, bytes)
        try writeBytes(segmentPath(dir.sub("log0"), 1), Array(whole[0].prefix(segmentHeaderSize)))
        let error = try #require(throws: WALError.self) { try SharedLogRecovery.recover(directory: dir.sub("commit")) }
        #expect(error.code == .corrupt && error.path == file && error.offset == UInt64(segmentHeaderSize), "\(error)")
        #expect(try readBytes(segmentPath(dir.sub("log0"), 1)).count == segmentHeaderSize)
    }

    @Test("a generation without a segment (its process died before its first round) is removed")
    func generationWithoutSegment() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.sub("commit/123-abc"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.sub("commit/123-abc/lock"), contents: Data("pid=123\n".utf8))
        #expect(try SharedLogRecovery.recover(directory: dir.sub("commit")).generations == 0)
        #expect(try generations(dir).isEmpty)
    }

    @Test("a group-commit writer makes what it opens durable: a dead process's uncommitted records then leave no gap before its frames")
    func openSyncsWhatItBuildsOn() async throws {
        let dir = TempDir()
        do {
            let dead = try WALWriter.create(directory: dir.sub("log"))
            try dead.append(type: 1, payload: Array("appended, never committed".utf8))
            try dead.close()  // (close would sync under .always: the bytes are what matter here)
        }
        let group = GroupCommit(directory: dir.sub("commit"))
        let opened = try WALWriter.open(directory: dir.sub("log"), options: GroupCommitRoundsTests.options(dir))
        opened.writer.commitGroup = group
        #expect(opened.writer.syncCount == 1, "the open synced the segment it builds on")
        try opened.writer.append(type: 1, payload: Array("committed by the group".utf8))
        try await opened.writer.commitSuspending()
        let frame = try #require(try GroupCommitRoundsTests.generations(dir).values.first?.first)
        #expect(frame.offset == UInt64(segmentHeaderSize + recordHeaderSize + "appended, never committed".utf8.count))
        try opened.writer.close()
        try group.finish()
    }

    @Test("a generation left half made (before its lock) is removed; no shared log directory costs nothing")
    func leftovers() throws {
        let dir = TempDir()
        #expect(try SharedLogRecovery.recover(directory: dir.sub("commit")) == .init())
        try FileManager.default.createDirectory(atPath: dir.sub("commit/.new-1-abc"), withIntermediateDirectories: true)
        #expect(try SharedLogRecovery.recover(directory: dir.sub("commit")).generations == 0)
        #expect(try generations(dir).isEmpty)
    }
}
