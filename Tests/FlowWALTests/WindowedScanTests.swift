@testable import FlowWAL
import Foundation
import Testing

/// A scan holds a segment through a small window (`WALSegmentWindow`) and falls back to the whole
/// rest of the file at the first record that is not whole and valid. Whatever the window's size,
/// it must see the same records and report the same torn tail or damage (file, offset, message)
/// as a window holding the whole file, which is the scan as it was before windows.
struct WindowedScanTests {
    /// From the smallest window (one segment header and one record header) up; 1 MiB holds every
    /// file here whole.
    static let chunkSizes = [1, 28, 29, 41, 64, 100, 333, 4096]
    static let whole = 1 << 20

    @Test func recordsAcrossWindowEdgesAreSeenWhole() throws {
        let dir = TempDir()
        var options = WALOptions()
        options.segmentSize = 3000
        let writer = try WALWriter.create(directory: dir.path, options: options)
        var written: [(UInt8, [UInt8])] = []
        for i in 0..<300 {
            // Empty, small and larger than most windows, so records straddle every edge.
            let size = [0, 1, 7, 40, 130, 700][i % 6] + i % 5
            let record = (UInt8(1 + i % 127), payload(i, size: size))
            try writer.append(type: record.0, payload: record.1)
            written.append(record)
        }
        try writer.close()
        let reference = Self.outcome(dir.path, chunkSize: Self.whole)
        #expect(reference.records.map { $0.payload } == written.map { $0.1 })
        for size in Self.chunkSizes {
            #expect(Self.outcome(dir.path, chunkSize: size) == reference, "window of \(size) bytes")
        }
    }

    @Test func aTornTailStraddlingAWindowEdgeIsTheSameCut() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 40, size: 90)
        let file = segmentPath(dir.path, 1)
        let bytes = try readBytes(file)
        for cut in [bytes.count - 1, bytes.count - 50, bytes.count - 95, bytes.count - 101] {
            try writeBytes(file, Array(bytes.prefix(cut)))
            let reference = Self.outcome(dir.path, chunkSize: Self.whole)
            #expect(reference.tail?.offset == UInt64(bytes.count - 102), "cut at \(cut)")
            for size in Self.chunkSizes {
                #expect(Self.outcome(dir.path, chunkSize: size) == reference, "cut at \(cut), window of \(size) bytes")
            }
        }
    }

    @Test func aZeroFilledTailAndAppendedGarbageAreTheSameCut() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 30, size: 50)
        let file = segmentPath(dir.path, 1)
        let bytes = try readBytes(file)
        for tail in [[UInt8](repeating: 0, count: 700), [0x05, 0, 0, 0, 1, 0, 0, 0]] {
            try writeBytes(file, bytes + tail)
            let reference = Self.outcome(dir.path, chunkSize: Self.whole)
            #expect(reference.tail?.offset == UInt64(bytes.count))
            for size in Self.chunkSizes {
                #expect(Self.outcome(dir.path, chunkSize: size) == reference, "window of \(size) bytes")
            }
        }
    }

    @Test func damageInTheMiddleNamesTheSameFileAndOffset() throws {
        let dir = TempDir()
        let positions = try makeLog(dir.path, count: 60, size: 70)
        let file = segmentPath(dir.path, 1)
        var bytes = try readBytes(file)
        let victim = Int(positions[31].offset)
        bytes[victim + 12 + 3] ^= 0x40  // the payload of record 31: its checksum fails, later ones are whole
        try writeBytes(file, bytes)
        let reference = Self.outcome(dir.path, chunkSize: Self.whole)
        #expect(reference.error?.code == .corrupt && reference.error?.offset == UInt64(victim))
        #expect(reference.records.count == 31, "the records before the damage reached the visitor")
        for size in Self.chunkSizes {
            #expect(Self.outcome(dir.path, chunkSize: size) == reference, "window of \(size) bytes")
        }
    }

    @Test func aRecordLargerThanTheLimitAndABadTypeAreReportedAlike() throws {
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path)
        for i in 0..<10 { try writer.append(type: 1, payload: payload(i, size: i == 6 ? 5000 : 30)) }
        try writer.close()
        let large = Self.outcome(dir.path, chunkSize: Self.whole, maxRecordSize: 4096)
        #expect(large.error?.code == .recordTooLarge)
        for size in Self.chunkSizes {
            #expect(Self.outcome(dir.path, chunkSize: size, maxRecordSize: 4096) == large, "window of \(size) bytes")
        }

        let file = segmentPath(dir.path, 1)
        var bytes = try readBytes(file)
        writeRecord(into: &bytes, at: bytes.count, type: 200, payload: [1, 2, 3])
        writeRecord(into: &bytes, at: bytes.count, type: 1, payload: [4, 5, 6])
        try writeBytes(file, bytes)
        let badType = Self.outcome(dir.path, chunkSize: Self.whole)
        #expect(badType.error?.code == .corrupt && badType.error?.message.contains("type 200") == true)
        for size in Self.chunkSizes {
            #expect(Self.outcome(dir.path, chunkSize: size) == badType, "window of \(size) bytes")
        }
    }

    /// The fuzzer's damage, each log scanned through windows of every size.
    @Test func seededDamageReadsTheSameThroughAnyWindow() throws {
        var rng = DamageFuzzRandom(seed: 0x00C4_0C4E)
        for input in 0..<150 {
            let dir = ShmDir()
            var options = WALOptions()
            options.syncPolicy = .none
            options.segmentSize = rng.bool(0.3) ? Int(rng.next(in: 80...600)) : 1 << 20
            let writer = try WALWriter.create(directory: dir.path, options: options)
            for _ in 0..<Int(rng.next(in: 1...24)) {
                let size = Int(rng.next(in: 0...(rng.bool(0.2) ? 700 : 90)))
                try writer.append(type: UInt8(rng.next(in: 1...127)), payload: (0..<size).map { _ in UInt8(rng.next(in: 0...255)) })
            }
            try writer.close()
            let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".wal") }.sorted()
            let victim = dir.path + "/" + segments[Int(rng.next(in: 0...UInt64(segments.count - 1)))]
            let (damaged, what) = DamageFuzzTests.damage(try readBytes(victim), &rng)
            try writeBytes(victim, damaged)
            let reference = Self.outcome(dir.path, chunkSize: Self.whole)
            for size in Self.chunkSizes {
                #expect(Self.outcome(dir.path, chunkSize: size) == reference, "input \(input), \(what), window of \(size) bytes")
            }
        }
    }

    @Test func theVisitorIsToldWhereEachRecordIsInTheWholeLog() throws {
        let dir = TempDir()
        var options = WALOptions()
        options.segmentSize = 2000
        try makeLog(dir.path, count: 100, size: 60, options: options)
        let sizes = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".wal") }.sorted()
            .map { try fileSize(dir.path + "/" + $0) }
        #expect(sizes.count > 2)
        var seen: [(WALPosition, UInt64, UInt64)] = []
        _ = try WALScanner.scan(directory: dir.path, maxRecordSize: 1 << 20, visit: { seen.append(($0.position, $0.logOffset, $0.logSize)) },
                                chunkSize: 100)
        #expect(seen.count == 100)
        for (position, logOffset, logSize) in seen {
            let before = sizes.prefix(Int(position.segment) - 1).reduce(0, +)
            #expect(logOffset == UInt64(before) + position.offset)
            #expect(logSize == UInt64(sizes.reduce(0, +)))
        }
    }

    // MARK: what a scan made of a log

    struct Outcome: Equatable {
        struct Failure: Equatable {
            var code: WALError.Code
            var path: String?
            var offset: UInt64?
            var message: String
        }
        var records: [WALRecord] = []
        var ends: [UInt64] = []
        var tail: WALScan.Tail?
        var error: Failure?
    }

    /// The scan through a window of `chunkSize` bytes, as a visit (its records are those the
    /// visitor saw, up to any damage) and as the copying read, which must agree with it.
    static func outcome(_ directory: String, chunkSize: Int, maxRecordSize: Int = 1 << 20) -> Outcome {
        var visited: [WALRecord] = []
        var outcome = scan(directory, chunkSize: chunkSize, maxRecordSize: maxRecordSize) { r in
            visited.append(WALRecord(type: r.type, payload: Array(r.payload), position: r.position, file: r.file))
        }
        outcome.records = visited
        let copied = scan(directory, chunkSize: chunkSize, maxRecordSize: maxRecordSize, visit: nil)
        #expect(copied.ends == outcome.ends && copied.tail == outcome.tail && copied.error == outcome.error
                && (copied.error != nil || copied.records == visited),
                "window of \(chunkSize) bytes: the visit and the copying read differ")
        return outcome
    }

    static func scan(_ directory: String, chunkSize: Int, maxRecordSize: Int, visit: WALVisitor?) -> Outcome {
        var outcome = Outcome()
        do {
            let scan = try WALScanner.scan(directory: directory, maxRecordSize: maxRecordSize, visit: visit, chunkSize: chunkSize)
            outcome.records = scan.records
            outcome.ends = scan.segments.map(\.end)
            outcome.tail = scan.tail
        } catch let error as WALError {
            outcome.error = .init(code: error.code, path: error.path, offset: error.offset, message: error.message)
        } catch {
            outcome.error = .init(code: .io, path: nil, offset: nil, message: "\(error)")
        }
        return outcome
    }
}
