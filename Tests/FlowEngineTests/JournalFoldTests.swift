import FlowLua
import FlowWAL
import Foundation
import Testing
@testable import FlowEngine

/// Folding a journal as the scan meets its records (reused strings, one-attempt steps inline, the
/// steps array sized from the first steps) must give the state that applying the entries one by
/// one gives.
@Suite struct JournalFoldTests {
    static let started = ExecutionStarted(
        id: "e", workflow: "/work/flows/deploy.lua", scriptDigest: "d", params: ["n": .int(3)], randomSeed: 1, at: 1000,
        host: "h", pid: 1)

    /// A journal with the shapes replay meets: long runs of one call site, changing names and
    /// locations, retried steps, and an attempt journaled twice (a crash cut it short).
    static func entries(steps: Int) -> [JournalEntry] {
        var entries: [JournalEntry] = [.started(started)]
        for seq in 1...steps {
            let name = seq % 100 < 90 ? "s" : "step number \(seq % 7)"
            let location = seq % 500 < 400 ? "/work/flows/deploy.lua:12" : "/work/flows/deploy.lua:\(seq % 3 + 20)"
            func intent(_ attempt: Int) -> JournalEntry {
                .intent(StepIntent(seq: seq, attempt: attempt, kind: seq % 11 == 0 ? .native : .step, name: name,
                                   digest: UInt64(seq % 5), location: location, args: seq % 13 == 0 ? .table(["i": .int(Int64(seq))]) : .nil,
                                   at: 1000 + Int64(seq), deadline: seq % 17 == 0 ? 9000 : nil))
            }
            entries.append(intent(1))
            if seq % 97 == 0 { entries.append(intent(1)) }  // the same attempt again after a crash
            if seq % 37 == 0 {
                entries.append(.failed(StepFailed(seq: seq, attempt: 1, error: StepError(name: "Boom", message: "x"),
                                                  at: 1001 + Int64(seq), retryAt: 1002 + Int64(seq))))
                entries.append(intent(2))
            }
            let attempt = seq % 37 == 0 ? 2 : 1
            entries.append(.completed(StepCompleted(seq: seq, attempt: attempt, value: .int(Int64(seq)), at: 1003 + Int64(seq),
                                                    consumed: nil)))
        }
        return entries
    }

    static func write(_ entries: [JournalEntry], home: FlowHome, id: String, segmentSize: Int = 64 << 20) throws {
        var options = WALOptions()
        options.syncPolicy = .none
        options.segmentSize = segmentSize
        let writer = try WALWriter.create(directory: home.journalDirectory(of: id), options: options)
        for entry in entries {
            let (type, payload) = JournalCodec.encode(entry)
            try writer.append(type: type, payload: payload)
        }
        try writer.close()
    }

    @Test func foldingAsTheScanGoesGivesTheStateOfTheEntries() throws {
        let dir = TemporaryHome()
        let entries = Self.entries(steps: 5000)
        try Self.write(entries, home: dir.home, id: "long", segmentSize: 100_000)  // several segments
        let expected = try JournalState(entries: entries)
        let (state, torn) = try JournalReading.read(home: dir.home, id: "long")
        #expect(torn == nil)
        #expect(state == expected)
        let records = try WALReader.read(directory: dir.home.journalDirectory(of: "long")).records
        #expect(try JournalReading.fold(records) == expected)
        // Sized once from the first steps: room for all of them, and not much more.
        #expect(state.steps.capacity >= 5000 && state.steps.capacity < 5000 * 2)
        let retried = try #require(state.step(37))
        #expect(retried.attempts.count == 2 && retried.attempts.map(\.attempt) == [1, 2])
        #expect(retried.attempts.first?.outcome == .failed(StepError(name: "Boom", message: "x"), retryAt: 1039))
        #expect(retried.lastOutcome == .completed(.int(37), consumed: nil))
        let again = try #require(state.step(97))
        #expect(again.attempts.count == 1 && again.attempts.last?.finishedAt == 1100)
    }

    @Test func aStepHoldsItsAttemptsInOrder() throws {
        let one = try JournalState(entries: Self.entries(steps: 40))
        let single = try #require(one.step(1)).attempts
        #expect(single.count == 1 && single.first == single.last && Array(single.indices) == [0])
        #expect(single[0].attempt == 1 && single[0].outcome == .completed(.int(1), consumed: nil))
        let retried = try #require(one.step(37)).attempts
        #expect(retried.count == 2 && retried[0].attempt == 1 && retried[1].attempt == 2)
        #expect(retried.map(\.attempt) == [1, 2] && retried.reversed().map(\.attempt) == [2, 1])
        let same = try #require(one.step(37)).attempts
        #expect(retried != single && retried == same)
        // A step with a pending retry is not settled again by a late outcome for its first attempt.
        var state = try JournalState(entries: Array(Self.entries(steps: 37).dropLast(2)))
        #expect(throws: JournalOrderError.self) {
            try state.apply(.completed(StepCompleted(seq: 37, attempt: 1, value: .nil, at: 0, consumed: nil)))
        }
    }

    @Test func reusedStringsDecodeAsTheirBytesSay() throws {
        // A location repeated as invalid UTF-8 must decode as the plain decoder repairs it, not as
        // the previous (repaired) string's bytes.
        func intent(_ seq: Int, name: [UInt8], location: [UInt8]) -> [UInt8] {
            var w = ByteWriter()
            w.byte(JournalCodec.version)
            w.int(seq); w.int(1); w.byte(StepKind.step.code)
            w.raw(name); w.fixed64(7); w.raw(location)
            ValueCodec.write(.nil, to: &w)
            w.varint(5); w.byte(0)
            return w.bytes
        }
        let payloads = [
            intent(1, name: Array("s".utf8), location: Array("/a/b.lua:1".utf8)),
            intent(2, name: Array("s".utf8), location: Array("/a/b.lua:1".utf8)),
            intent(3, name: [0x73, 0xFF], location: [0x2F, 0xFE, 0xFF]),
            intent(4, name: [0x73, 0xFF], location: [0x2F, 0xFE, 0xFF]),
            intent(5, name: Array("a much longer step name, not a small string".utf8), location: Array("/a/b.lua:1".utf8)),
            intent(6, name: Array("a much longer step name, not a small string".utf8), location: []),
            intent(7, name: [], location: []),
        ]
        var recent = RecentStrings()
        for payload in payloads {
            let reused = try payload.withUnsafeBytes {
                try JournalCodec.decode(type: JournalRecordType.intent.rawValue, payload: $0, recent: &recent)
            }
            #expect(reused == (try JournalCodec.decode(type: JournalRecordType.intent.rawValue, payload: payload)))
        }
    }

    @Test func theStartRecordIsReadWithoutTheRestOfTheJournal() throws {
        let dir = TemporaryHome()
        try Self.write(Self.entries(steps: 300), home: dir.home, id: "long")
        #expect(try JournalReading.started(home: dir.home, id: "long") == Self.started)

        // Damage after the start record: the full read refuses the journal, the start record is
        // still read (a resume then meets the damage when it opens the journal).
        let file = dir.home.journalDirectory(of: "long") + "/00000001.wal"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(throws: RunError.self) { _ = try JournalReading.read(home: dir.home, id: "long") }
        #expect(try JournalReading.started(home: dir.home, id: "long") == Self.started)

        // A journal of a header only has no start record; a zeroed only segment is refused as
        // the full read refuses it; no journal at all is a usage error.
        try WALWriter.create(directory: dir.home.journalDirectory(of: "empty")).close()
        #expect(try JournalReading.started(home: dir.home, id: "empty") == nil)
        #expect(try JournalReading.read(home: dir.home, id: "empty").state.started == nil)
        try Self.write([.started(Self.started)], home: dir.home, id: "zeroed")
        let zeroed = dir.home.journalDirectory(of: "zeroed") + "/00000001.wal"
        try Data(count: 16).write(to: URL(fileURLWithPath: zeroed))
        let full = Self.error { _ = try JournalReading.read(home: dir.home, id: "zeroed") }
        let start = Self.error { _ = try JournalReading.started(home: dir.home, id: "zeroed") }
        #expect(full?.code == .journal && start?.code == .journal && full?.message == start?.message)
        #expect(Self.error { _ = try JournalReading.started(home: dir.home, id: "missing") }?.code == .usage)

        // A first record that is not a start record is refused with the full read's words.
        try Self.write([Self.entries(steps: 1)[1]], home: dir.home, id: "headless")
        let headless = Self.error { _ = try JournalReading.started(home: dir.home, id: "headless") }
        #expect(headless?.code == .journal
                && headless?.message == Self.error { _ = try JournalReading.read(home: dir.home, id: "headless") }?.message)
    }

    /// Step-name digests are in every journal: hashing the name in place must give the same
    /// FNV-1a as before (published vectors, and the array-based code it replaced).
    @Test func stepNameDigestsAreUnchanged() {
        #expect(StepDigest.of(name: "") == 0xCBF2_9CE4_8422_2325)
        #expect(StepDigest.of(name: "a") == 0xAF63_DC4C_8601_EC8C)
        #expect(StepDigest.of(name: "foobar") == 0x8594_4171_F739_67E8)
        for name in ["s", "deploy", "route53.set_weights", "é—ü ✓", String(repeating: "x", count: 300)] {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in Array(name.utf8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            #expect(StepDigest.of(name: name) == h, "\(name)")
        }
    }

    static func error(_ body: () throws -> Void) -> RunError? {
        do {
            try body()
            return nil
        } catch let e as RunError {
            return e
        } catch {
            Issue.record("not a RunError: \(error)")
            return nil
        }
    }
}

/// A home in a fresh temporary directory, removed when the value goes away.
final class TemporaryHome {
    let home: FlowHome

    init() {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flow-fold-\(UUID())").path
        home = FlowHome(root: root)
    }

    deinit { try? FileManager.default.removeItem(atPath: home.root) }
}
