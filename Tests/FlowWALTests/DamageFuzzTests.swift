import FlowWAL
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Random damage to real logs (a seeded, short version of `scripts/wal-damage --fuzz`): whatever
/// the damage, a scan either refuses the log with the file and byte offset, changing nothing, or
/// returns the log's first records exactly (never one skipped or altered), and the writer agrees
/// with the reader, repairs only a torn tail, and leaves a log that reads clean and takes appends.
struct DamageFuzzTests {
    /// 4 x 400 inputs; a failure names its chunk and input, which replay it alone.
    @Test(arguments: 0..<4)
    func seededDamageIsRefusedOrReadAsAPrefix(chunk: Int) throws {
        var rng = DamageFuzzRandom(seed: 0x5EED_F1A7 &+ UInt64(chunk))
        var outcomes: [String: Int] = [:]
        for input in 0..<400 {
            let outcome = try checkOne(&rng, input: input)
            outcomes[outcome, default: 0] += 1
        }
        // Both kinds of answer came up often, so the inputs reach each path.
        for kind in ["refused", "torn tail"] {
            #expect(outcomes[kind, default: 0] > 20, "chunk \(chunk), \(kind): \(outcomes)")
        }
    }

    // MARK: regressions found by scripts/wal-damage

    /// A 4 KiB sector of zeros over a whole small segment used to read as an unfinished creation:
    /// the segment was removed as a torn tail, and an execution journal then read as one that
    /// never started (removed by `flow resume`, its steps run again by `flow run --id`).
    @Test func aZeroFilledSegmentLongerThanAHeaderIsCorruptNotAnUnfinishedCreation() throws {
        let dir = ShmDir()
        try makeLog(dir.path, count: 5)
        let file = segmentPath(dir.path, 1)
        let zeros = [UInt8](repeating: 0, count: try fileSize(file))
        try writeBytes(file, zeros)
        let read = expectError(.corrupt) { _ = try WALReader.read(directory: dir.path) }
        let open = expectError(.corrupt) { _ = try WALWriter.open(directory: dir.path) }
        for error in [read, open] {
            #expect(error?.path == file && error?.offset == 0)
            #expect(error?.message.contains("longer than a header") == true, "\(error?.message ?? "")")
        }
        #expect(try readBytes(file) == zeros)
        #expect(!fileExists(file + ".broken"))
    }

    /// After a checkpoint the segments before it are gone, so a short header in the lone segment
    /// left is damage: cutting it would empty the log.
    @Test func aLoneCheckpointSegmentWithAShortHeaderIsCorrupt() throws {
        let dir = ShmDir()
        let writer = try WALWriter.create(directory: dir.path)
        try writer.append(type: 1, payload: payload(0))
        let checkpoint = try writer.checkpoint(type: 2, payload: payload(1))
        try writer.close()
        #expect(checkpoint.position.segment == 2 && checkpoint.segmentsRemoved == 1)
        let file = segmentPath(dir.path, 2)
        let short = Array(try readBytes(file).prefix(10))
        try writeBytes(file, short)
        let error = expectError(.corrupt) { _ = try WALWriter.open(directory: dir.path) }
        #expect(error?.path == file && error?.offset == 0)
        #expect(error?.message.contains("only segment") == true, "\(error?.message ?? "")")
        #expect(try readBytes(file) == short)
    }

    /// One log, one damage, every check; returns what the scan made of it.
    private func checkOne(_ rng: inout DamageFuzzRandom, input: Int) throws -> String {
        let dir = ShmDir()
        var options = WALOptions()
        options.syncPolicy = .none
        options.segmentSize = rng.bool(0.3) ? Int(rng.next(in: 80...600)) : 1 << 20
        let writer = try WALWriter.create(directory: dir.path, options: options)
        var originals: [(type: UInt8, payload: [UInt8])] = []
        for _ in 0..<Int(rng.next(in: 0...24)) {
            let size = rng.bool(0.1) ? 0 : Int(rng.next(in: 1...(rng.bool(0.2) ? 700 : 90)))
            let record = (type: UInt8(rng.next(in: 1...127)), payload: (0..<size).map { _ in UInt8(rng.next(in: 0...255)) })
            try writer.append(type: record.type, payload: record.payload)
            originals.append(record)
        }
        try writer.close()
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".wal") }.sorted()
        // The last segment most of the time: that is where a crash tears, and where the rules are subtle.
        let victimIndex = rng.bool(0.75) ? segments.count - 1 : Int(rng.next(in: 0...UInt64(segments.count - 1)))
        let victim = dir.path + "/" + segments[victimIndex]
        let original = try readBytes(victim)
        let (damaged, what) = Self.damage(original, &rng)
        let context = "input \(input): \(segments[victimIndex]) of \(segments.count), \(what)"
        // Cutting a segment that has a successor exactly at a record boundary cannot be seen: the
        // format has no segment trailer (a limit written down in docs/RELIABILITY.md).
        if victimIndex < segments.count - 1, damaged.count < original.count,
           try Self.boundaries(of: original).contains(damaged.count) {
            return "skipped"
        }
        try writeBytes(victim, damaged)
        let files = try Self.snapshot(dir.path)

        let first = Self.read(dir.path)
        let second = Self.read(dir.path)
        #expect(first.summary == second.summary, "\(context): two reads differ")
        #expect(try Self.snapshot(dir.path) == files, "\(context): the reader changed a file")

        switch first {
        case .failure(let error):
            #expect(error.code == .corrupt, "\(context): \(error.message)")
            let path = try #require(error.path, "\(context): no path in \(error.message)")
            let offset = try #require(error.offset, "\(context): no offset in \(error.message)")
            #expect(files[path] != nil, "\(context): \(path) is not a segment")
            #expect(offset <= UInt64(files[path]?.count ?? 0), "\(context): offset \(offset) past the end")
            #expect(error.message.contains(path) && error.message.contains("offset \(offset)"), "\(context): \(error.message)")
            do {
                _ = try WALWriter.open(directory: dir.path, options: options)
                Issue.record("\(context): the writer opened a log the reader refused: \(error.message)")
            } catch let again as WALError {
                #expect(again.code == error.code && again.path == error.path && again.offset == error.offset,
                        "\(context): the writer refused differently: \(again.message)")
            }
            #expect(try Self.snapshot(dir.path) == files, "\(context): a refused open changed a file")
            return "refused"
        case .success(let read):
            #expect(read.records.count <= originals.count, "\(context)")
            for (index, record) in read.records.enumerated() where index < originals.count {
                #expect(record.type == originals[index].type && record.payload == originals[index].payload,
                        "\(context): record \(index) is not the original's record \(index): skipped or altered")
            }
            let (reopened, records, repair) = try WALWriter.open(directory: dir.path, options: options)
            #expect(records.map(\.payload) == read.records.map(\.payload), "\(context): the writer read other records")
            #expect(repair?.file == read.tornTail?.file && repair?.offset == read.tornTail?.offset,
                    "\(context): repair \(String(describing: repair)) vs torn tail \(String(describing: read.tornTail))")
            if let repair, let cut = files[repair.file] {
                #expect(try readBytes(repair.brokenCopy) == Array(cut[Int(repair.offset)...]), "\(context): the .broken copy")
            }
            try reopened.append(type: 9, payload: [1, 2, 3])
            try reopened.close()
            let after = try WALReader.read(directory: dir.path)
            #expect(after.tornTail == nil, "\(context): still torn after the repair")
            #expect(after.records.map(\.payload) == read.records.map(\.payload) + [[1, 2, 3]], "\(context): after the repair")
            return read.tornTail == nil ? "whole" : "torn tail"
        }
    }

    // MARK: damage

    static func damage(_ bytes: [UInt8], _ rng: inout DamageFuzzRandom) -> ([UInt8], String) {
        var b = bytes
        let n = b.count
        switch rng.next(in: 0...6) {
        case 0:
            let size = Int(rng.next(in: 0...UInt64(max(n - 1, 0))))
            return (Array(b[..<size]), "truncated to \(size) of \(n)")
        case 1:
            let at = Int(rng.next(in: 0...UInt64(n - 1)))
            b[at] ^= 1 << UInt8(rng.next(in: 0...7))
            return (b, "a bit of byte \(at) flipped")
        case 2:
            let flips = Int(rng.next(in: 2...6))
            for _ in 0..<flips { b[Int(rng.next(in: 0...UInt64(n - 1)))] ^= UInt8(rng.next(in: 1...255)) }
            return (b, "\(flips) bytes changed")
        case 3, 4:
            let sector = rng.bool(0.5) ? 512 : 64  // small logs: 64-byte "sectors" reach the middle too
            let start = Int(rng.next(in: 0...UInt64((n - 1) / sector))) * sector
            let garbage = rng.bool(0.3)
            for i in start..<min(n, start + sector) { b[i] = garbage ? UInt8(rng.next(in: 0...255)) : 0 }
            return (b, "\(garbage ? "random bytes" : "zeros") over [\(start), \(min(n, start + sector)))")
        case 5:
            let start = Int(rng.next(in: 0...UInt64(n - 1)))
            for i in start..<n { b[i] = 0 }
            return (b, "zeros from \(start) to the end (\(n))")
        default:
            let extra = Int(rng.next(in: 1...600))
            return (b + [UInt8](repeating: 0, count: extra), "\(extra) zeros appended")
        }
    }

    /// Byte offsets where a record ends, in an undamaged segment file.
    static func boundaries(of bytes: [UInt8]) throws -> Set<Int> {
        var ends: Set<Int> = [segmentHeaderSize]
        var offset = segmentHeaderSize
        while offset + recordHeaderSize <= bytes.count {
            let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
            offset += recordHeaderSize + length
            ends.insert(offset)
        }
        return ends
    }

    static func snapshot(_ directory: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            files[directory + "/" + name] = try readBytes(directory + "/" + name)
        }
        return files
    }

    static func read(_ directory: String) -> Result<WALReadResult, WALError> {
        do {
            return .success(try WALReader.read(directory: directory))
        } catch let error as WALError {
            return .failure(error)
        } catch {
            return .failure(WALError(code: .io, message: "\(error)"))
        }
    }
}

extension Result where Success == WALReadResult, Failure == WALError {
    /// What two reads must agree on.
    var summary: String {
        switch self {
        case .success(let r):
            "\(r.records.map { "\($0.position)/\($0.type)/\($0.payload.count)" }) tail \(r.tornTail.map { "\($0.file)@\($0.offset)" } ?? "-")"
        case .failure(let e):
            "\(e.code) \(e.path ?? "-")@\(e.offset.map(String.init) ?? "-")"
        }
    }
}

/// A fresh directory in /dev/shm when there is one (a memory file system: the many fsyncs of
/// segment creations and repairs cost nothing), else /tmp; removed when the value goes away.
final class ShmDir {
    let path: String

    init() {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/flowwal-fuzz-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// SplitMix64: a failing input is replayed by its number.
struct DamageFuzzRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<UInt64>) -> UInt64 {
        range.lowerBound + next() % (range.upperBound - range.lowerBound + 1)
    }

    mutating func bool(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}
