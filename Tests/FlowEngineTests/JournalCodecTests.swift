import Testing
import FlowLua
@testable import FlowEngine

@Suite struct JournalCodecTests {
    static let samples: [JournalEntry] = [
        .started(ExecutionStarted(id: "x-1", workflow: "w.lua", scriptDigest: "ab12", params: ["n": 3, "s": "v"],
                                  randomSeed: -42, at: 1_700_000_000_123, host: "h", pid: 77)),
        .intent(StepIntent(seq: 1, attempt: 2, kind: .native, name: "flow.exec", digest: 0xdead_beef_cafe_f00d,
                           location: "w.lua:3", args: ["cmd": ["a", "b"], "f": 1.5], at: 5, deadline: 99)),
        .intent(StepIntent(seq: 2, attempt: 1, kind: .sleep, name: "flow.sleep", digest: 0, location: "?", args: .nil, at: 5, deadline: nil)),
        .completed(StepCompleted(seq: 1, attempt: 2, value: .bytes([0, 255, 1]), at: 6, consumed: "0001-1-a.json")),
        .completed(StepCompleted(seq: 3, attempt: 1, value: [1, 2.0, "three", ["k": true]], at: 6, consumed: nil)),
        .failed(StepFailed(seq: 1, attempt: 1, error: StepError(name: "Throttling", message: "slow down"), at: 7, retryAt: 1007)),
        .failed(StepFailed(seq: 1, attempt: 3, error: StepError(name: "X", message: ""), at: 7, retryAt: nil)),
        .compensating(Compensating(reason: .cancelled, error: StepError(name: "Cancelled", message: "by a"), atSeq: 4, nextSeq: 5, at: 8)),
        .finished(ExecutionFinished(status: .failed, value: .nil, error: StepError(name: "E", message: "m"), at: 9)),
        .finished(ExecutionFinished(status: .succeeded, value: ["ok": true], error: nil, at: 9)),
        .resumed(Resumed(at: 10, host: "h2", pid: 78, scriptChanged: true)),
    ]

    @Test func everyEntryRoundTrips() throws {
        for entry in Self.samples {
            let (type, payload) = JournalCodec.encode(entry)
            #expect(try JournalCodec.decode(type: type, payload: payload) == entry)
        }
    }

    @Test func tablesEncodeTheSameWhateverTheirInsertionOrder() {
        let a = ValueCodec.encode(.table(["a": 1, "b": 2, "c": ["x": 1, "y": 2]]))
        let b = ValueCodec.encode(.table(["c": ["y": 2, "x": 1], "b": 2, "a": 1]))
        #expect(a == b)
        #expect(StepDigest.of([.table(["a": 1, "b": 2])]) == StepDigest.of([.table(["b": 2, "a": 1])]))
        #expect(StepDigest.of([.int(1)]) != StepDigest.of([.double(1)]))
    }

    @Test func damagedPayloadsAreErrorsThatSayWhat() throws {
        let (type, payload) = JournalCodec.encode(Self.samples[1])
        for cut in [0, 1, 5, payload.count - 1] {
            #expect(throws: (any Error).self) { try JournalCodec.decode(type: type, payload: Array(payload.prefix(cut))) }
        }
        do {
            _ = try JournalCodec.decode(type: type, payload: payload + [0])
            Issue.record("trailing bytes accepted")
        } catch {
            #expect("\(error)".contains("1 unexpected bytes after the record"))
        }
        do {
            _ = try JournalCodec.decode(type: 99, payload: payload)
            Issue.record("unknown type accepted")
        } catch {
            #expect("\(error)".contains("unknown journal record type 99"))
        }
        var badVersion = payload
        badVersion[0] = 9
        #expect(throws: (any Error).self) { try JournalCodec.decode(type: type, payload: badVersion) }
    }

    @Test func journalStateRejectsOrdersNoWriterMakes() throws {
        let started = Self.samples[0]
        let intent = JournalEntry.intent(StepIntent(seq: 1, attempt: 1, kind: .step, name: "a", digest: 1, location: "w:1", args: .nil, at: 1, deadline: nil))
        let done = JournalEntry.completed(StepCompleted(seq: 1, attempt: 1, value: 1, at: 2, consumed: nil))
        #expect(throws: JournalOrderError.self) { try JournalState(entries: [intent]) }
        #expect(throws: JournalOrderError.self) { try JournalState(entries: [started, done]) }
        #expect(throws: JournalOrderError.self) { try JournalState(entries: [started, intent, done, done]) }
        let skip = JournalEntry.intent(StepIntent(seq: 3, attempt: 1, kind: .step, name: "c", digest: 1, location: "w:1", args: .nil, at: 1, deadline: nil))
        #expect(throws: JournalOrderError.self) { try JournalState(entries: [started, intent, done, skip]) }
        let state = try JournalState(entries: [started, intent, done])
        #expect(state.steps.count == 1)
        #expect(state.steps[0].lastOutcome == .completed(1, consumed: nil))
    }
}
