import Foundation
import Testing
import FlowLua
@testable import FlowEngine

/// `HistoryImport`: `flow history --json` back into journal entries, and the errors that name
/// the file, the entry and the field.
@Suite struct HistoryImportTests {
    /// A journal no single run makes but every writer could: retries, a signal, an operator
    /// action, a resume, a cancel with compensation, an abort, a redrive, values of every shape.
    static let journal: [JournalEntry] = [
        .started(ExecutionStarted(
            id: "x-1", workflow: "w.lua", scriptDigest: String(repeating: "ab", count: 32),
            params: ["n": 3, "f": .double(10), "s": "v", "nested": ["$only": ["a", 1.5]]],
            randomSeed: Int64.max - 7, at: 1_700_000_000_123, host: "h", pid: 77, settings: ["region": "eu-west-1"])),
        .intent(StepIntent(seq: 1, attempt: 1, kind: .native, name: "flow.exec", digest: 0xdead_beef_cafe_f00d,
                           location: "w.lua:3", args: ["cmd": ["a", "b"], "f": 1.5, "big": .int(-9_007_199_254_740_993)],
                           at: 1_700_000_000_200, deadline: 1_700_000_060_200)),
        .failed(StepFailed(seq: 1, attempt: 1, error: StepError(name: "Throttling", message: "slow down"), at: 1_700_000_000_300,
                           retryAt: 1_700_000_001_300)),
        .intent(StepIntent(seq: 1, attempt: 2, kind: .native, name: "flow.exec", digest: 0xdead_beef_cafe_f00d,
                           location: "w.lua:3", args: ["cmd": ["a", "b"], "f": 1.5, "big": .int(-9_007_199_254_740_993)],
                           at: 1_700_000_001_300, deadline: nil)),
        .completed(StepCompleted(seq: 1, attempt: 2, value: ["out": .bytes([0, 255, 1]), "ten": .double(10), "neg0": .double(-0.0)],
                                 at: 1_700_000_001_400, consumed: nil)),
        .operatorAction(OperatorAction(action: .pause, by: "alice@h", reason: "look", at: 1_700_000_001_500, seq: 2, message: "0001-pause.json")),
        .operatorAction(OperatorAction(action: .promoteFull, by: "bob@h", reason: nil, at: 1_700_000_001_600, seq: 2, force: true,
                                       message: "0002-promote.json")),
        .intent(StepIntent(seq: 2, attempt: 1, kind: .signal, name: "go", digest: 7, location: "w.lua:5",
                           args: ["name": "go", "timeout": 30.0], at: 1_700_000_001_700, deadline: 1_700_000_031_700)),
        .resumed(Resumed(at: 1_700_000_002_000, host: "h2", pid: 78, scriptChanged: true)),
        .completed(StepCompleted(seq: 2, attempt: 1, value: .nil, at: 1_700_000_002_100, consumed: "0003-1-go.json")),
        .intent(StepIntent(seq: 3, attempt: 1, kind: .sleep, name: "flow.sleep", digest: 9, location: "w.lua:6",
                           args: ["seconds": 60.0], at: 1_700_000_002_200, deadline: 1_700_000_062_200)),
        .compensating(Compensating(reason: .aborted, error: StepError(name: "Aborted", message: "aborted by carol"), atSeq: 3,
                                   nextSeq: 4, at: 1_700_000_002_300)),
        .intent(StepIntent(seq: 4, attempt: 1, kind: .step, name: "undo", digest: 11, location: "w.lua:1",
                           args: .nil, at: 1_700_000_002_400, deadline: nil)),
        .completed(StepCompleted(seq: 4, attempt: 1, value: "undone", at: 1_700_000_002_500, consumed: nil)),
        .finished(ExecutionFinished(status: .aborted, value: .nil, error: StepError(name: "Aborted", message: "aborted by carol"),
                                    at: 1_700_000_002_600)),
        .redriven(Redriven(at: 1_700_000_003_000, by: "dave@h", reason: "fixed", fromSeq: 3)),
        .intent(StepIntent(seq: 3, attempt: 1, kind: .now, name: "flow.now", digest: 0, location: "w.lua:6",
                           args: .nil, at: 1_700_000_003_100, deadline: nil)),
        .completed(StepCompleted(seq: 3, attempt: 1, value: 1_700_000_003.1, at: 1_700_000_003_100, consumed: nil)),
        .finished(ExecutionFinished(status: .succeeded, value: ["weights": ["blue": 0, "green": 100]], error: nil, at: 1_700_000_003_200)),
    ]

    /// What `flow history ID --json` prints (the CLI's JSONText: sorted keys, pretty).
    static func export(_ entries: [JournalEntry]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(entries.enumerated().map { HistoryEntry(index: $0.offset + 1, $0.element) })
    }

    /// The export as objects, to break one field at a time.
    static func objects() throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: export(journal)) as? [[String: Any]])
    }

    static func problem(_ objects: [[String: Any]]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: objects)
        do {
            _ = try HistoryImport.entries(json: data, path: "history.json")
            return "(imported)"
        } catch let e as HistoryImportError {
            return e.description
        }
    }

    @Test func everyKindOfEntryComesBackExactly() throws {
        #expect(try JournalState(entries: Self.journal).finished?.status == .succeeded, "a journal a writer could make")
        let imported = try HistoryImport.entries(json: Self.export(Self.journal), path: "h.json")
        #expect(imported.count == Self.journal.count)
        for (a, b) in zip(imported, Self.journal) {
            #expect(a == b)
            #expect(JournalCodec.encode(a).payload == JournalCodec.encode(b).payload)
        }
    }

    @Test func timesParseBackToTheMillisecond() {
        for t: Millis in [0, 1, 999, 1000, 951_782_400_000, 1_700_000_000_123, 4_102_444_799_999, 1_709_164_800_000] {
            #expect(ISOTime.parse(WallClock.iso8601(t)) == t, "\(WallClock.iso8601(t))")
        }
        for bad in ["2026-02-30T00:00:00.000Z", "2026-11-26T16:32:49Z", "2026-11-26 16:32:49.123Z", "2026-13-01T00:00:00.000Z",
                    "2026-11-26T24:00:00.000Z", "x"] {
            #expect(ISOTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func aMissingFieldNamesTheFileTheEntryAndTheField() throws {
        var o = try Self.objects()
        o[4]["seq"] = nil
        #expect(try Self.problem(o) == "history.json: entry 5 (completed): missing 'seq'")
        o = try Self.objects()
        o[1]["digest"] = nil
        #expect(try Self.problem(o) == "history.json: entry 2 (native.start): missing 'digest'")
        o = try Self.objects()
        o[0]["random_seed"] = nil
        #expect(try Self.problem(o) == "history.json: entry 1 (started): missing 'random_seed'")
        o = try Self.objects()
        o[11]["next_seq"] = nil
        #expect(try Self.problem(o) == "history.json: entry 12 (compensating): missing 'next_seq'")
        o = try Self.objects()
        o[5]["inbox_file"] = nil
        #expect(try Self.problem(o) == "history.json: entry 6 (operator): missing 'inbox_file'")
        o = try Self.objects()
        o[3]["kind"] = nil
        #expect(try Self.problem(o) == "history.json: entry 4: missing 'kind'")
    }

    @Test func aWrongFieldSaysWhatWasExpected() throws {
        var o = try Self.objects()
        o[4]["seq"] = "1"
        #expect(try Self.problem(o) == "history.json: entry 5 (completed): 'seq' is not an integer (got string)")
        o = try Self.objects()
        o[2]["time"] = "yesterday"
        #expect(try Self.problem(o) == "history.json: entry 3 (failed): 'time' is not a time like 2026-11-26T16:32:49.123Z: 'yesterday'")
        o = try Self.objects()
        o[1]["digest"] = "xyz"
        #expect(try Self.problem(o) == "history.json: entry 2 (native.start): 'digest' is not 16 hex digits: 'xyz'")
        o = try Self.objects()
        o[1]["kind"] = "teleport.start"
        #expect(try Self.problem(o).hasPrefix("history.json: entry 2 (teleport.start): unknown step kind 'teleport' (expected step.start, native.start"))
        o = try Self.objects()
        o[1]["kind"] = "teleported"
        #expect(try Self.problem(o).hasPrefix("history.json: entry 2 (teleported): unknown kind 'teleported'"))
        o = try Self.objects()
        o[14]["name"] = "exploded"
        #expect(try Self.problem(o) == "history.json: entry 15 (finished): 'name' is 'exploded', not one of succeeded, failed, cancelled, aborted")
        o = try Self.objects()
        o[2]["error"] = ["name": "X"]
        #expect(try Self.problem(o) == "history.json: entry 3 (failed): 'error' lacks a string 'name' or 'message'")
        o = try Self.objects()
        o[0]["execution_id"] = "../../etc"
        #expect(try Self.problem(o).hasPrefix("history.json: entry 1 (started): 'execution_id': invalid execution id '../../etc'"))
    }

    @Test func entriesOutOfOrderAreRefused() throws {
        var o = try Self.objects()
        o.swapAt(1, 2)
        #expect(try Self.problem(o) == "history.json: entry 2 (failed): out of order: an outcome for step 1 attempt 1, which is not in flight")
        o = try Self.objects()
        o.removeFirst()
        #expect(try Self.problem(o) == "history.json: entry 1 (native.start): out of order: the journal does not begin with an execution-started record")
    }

    @Test func aFileThatIsNoHistorySaysSo() throws {
        func problem(_ text: String) -> String {
            do {
                _ = try HistoryImport.entries(json: Data(text.utf8), path: "h.json")
                return "(imported)"
            } catch {
                return "\(error)"
            }
        }
        #expect(problem("{not json").hasPrefix("h.json: not valid JSON"))
        #expect(problem("[]") == "h.json: holds no entries (`flow history ID --json` writes at least the start record)")
        #expect(problem(#"{"kind": "started"}"#) == "h.json: not an array of history entries (`flow history ID --json` writes one)")
        #expect(problem("[1, 2]") == "h.json: entry 1: not an object (got integer)")
    }
}
