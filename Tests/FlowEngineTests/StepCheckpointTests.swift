import Foundation
import FlowLua
import FlowWAL
import Testing
@testable import FlowEngine

/// Step checkpoints (`StepContext.checkpoint`): the journal record (codec, damage), the fold (kept
/// for the attempt in flight, across the intent a resume writes again, dropped by a new attempt, an
/// outcome or a redrive), and the runner (journaled and synced before the call returns, handed back
/// to the attempt resumed in flight, never to a retry; replay unaffected).
@Suite struct StepCheckpointTests {
    static let started = ExecutionStarted(id: "e", workflow: "w.lua", scriptDigest: "d", params: [:], randomSeed: 1, at: 1000,
                                          host: "h", pid: 1)

    static func intent(_ seq: Int, attempt: Int = 1, kind: StepKind = .native, at: Millis = 1001) -> JournalEntry {
        .intent(StepIntent(seq: seq, attempt: attempt, kind: kind, name: "route53.set_weights", digest: 7, location: "w.lua:3",
                           args: ["weights": ["green": 10]], at: at, deadline: nil))
    }

    static func checkpoint(_ seq: Int, attempt: Int = 1, _ value: LuaValue, at: Millis = 1002) -> JournalEntry {
        .stepCheckpoint(StepCheckpoint(seq: seq, attempt: attempt, value: value, at: at))
    }

    static func completed(_ seq: Int, attempt: Int = 1) -> JournalEntry {
        .completed(StepCompleted(seq: seq, attempt: attempt, value: ["ok": true], at: 1005, consumed: nil))
    }

    // MARK: the record

    @Test func checkpointsRoundTripAsRecordTypeTen() throws {
        let values: [LuaValue] = [
            .nil, "C0123", ["change_id": "C1", "weights": ["blue": 90, "green": 10], "changed": true],
            [1, 2.5, .bytes([0, 255])], .int(Int64.min),
        ]
        for (i, value) in values.enumerated() {
            let entry = Self.checkpoint(i + 1, attempt: i + 2, value, at: 1_700_000_000_000 + Int64(i))
            let (type, payload) = JournalCodec.encode(entry)
            #expect(type == 10)
            #expect(try JournalCodec.decode(type: type, payload: payload) == entry)
        }
    }

    /// The records a journal held before checkpoints existed encode (and so decode) as they did.
    @Test func recordsOfOlderJournalsAreUnchanged() throws {
        let intent = JournalEntry.intent(StepIntent(seq: 3, attempt: 1, kind: .native, name: "r.s", digest: 0x0102_0304_0506_0708,
                                                    location: "w:9", args: ["g": 10], at: 1000, deadline: nil))
        let (type, payload) = JournalCodec.encode(intent)
        #expect(type == 2)
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        let args: String = hex(ValueCodec.encode(["g": 10]))
        // version, seq 3, attempt 1, native, "r.s", digest, "w:9", args, at 1000, no deadline
        let expected: String = "01" + "06" + "02" + "02" + "03722e73" + "0807060504030201" + "03773a39" + args + "d00f" + "00"
        #expect(hex(payload) == expected)
        #expect(try JournalCodec.decode(type: type, payload: payload) == intent)
    }

    @Test func aDamagedCheckpointIsAnErrorNamingTheFileAndOffset() throws {
        let h = try WorkflowHarness()
        let good = JournalCodec.encode(Self.checkpoint(1, ["id": "C1"]))
        let cases: [(String, [UInt8], String)] = [
            ("cut", Array(good.payload.prefix(good.payload.count - 2)), "record ends early"),
            ("trailing", good.payload + [7], "1 unexpected bytes after the record"),
            ("version", [9] + good.payload.dropFirst(), "journal record version 9"),
        ]
        for (name, payload, words) in cases {
            let writer = try WALWriter.create(directory: h.home.journalDirectory(of: name))
            var offset = 0
            for entry in [JournalEntry.started(Self.started), Self.intent(1)] {
                let (type, bytes) = JournalCodec.encode(entry)
                offset = Int(try writer.append(type: type, payload: bytes).offset)
            }
            let at = try writer.append(type: good.type, payload: payload)
            try writer.close()
            #expect(at.offset > offset)
            do {
                _ = try JournalReading.read(home: h.home, id: name)
                Issue.record("\(name): a damaged checkpoint was read")
            } catch let e as RunError {
                #expect(e.code == .journal)
                #expect(e.message.contains("00000001.wal at offset \(at.offset): "), "\(name): \(e.message)")
                #expect(e.message.contains(words), "\(name): \(e.message)")
            }
            // `flow history` reads every record: the same error.
            #expect(throws: RunError.self) { _ = try HistoryEntry.load(home: h.home, id: name) }
        }
    }

    // MARK: the fold

    @Test func theFoldKeepsTheLastCheckpointOfTheAttemptInFlight() throws {
        var state = try JournalState(entries: [.started(Self.started), Self.intent(1), Self.checkpoint(1, "a")])
        #expect(state.checkpoint(of: 1)?.value == "a" && state.checkpoint(of: 1)?.attempt == 1)
        try state.apply(Self.checkpoint(1, "b", at: 1003))
        #expect(state.checkpoint(of: 1)?.value == "b")
        #expect(state.lastEventAt == 1003 && state.steps.count == 1, "a checkpoint is not a step")

        // A resume writes the intent of the attempt again: its checkpoint stays, for the next resume.
        try state.apply(.resumed(Resumed(at: 1004, host: "h", pid: 2, scriptChanged: false)))
        try state.apply(Self.intent(1, at: 1004))
        try state.apply(.resumed(Resumed(at: 1005, host: "h", pid: 3, scriptChanged: false)))
        try state.apply(Self.intent(1, at: 1005))
        #expect(state.checkpoint(of: 1)?.value == "b")
        #expect(state.step(1)?.attempts.count == 1)

        // A retry starts without one; an outcome drops it.
        try state.apply(.failed(StepFailed(seq: 1, attempt: 1, error: StepError(name: "ChangeNotInSync", message: "x"),
                                           at: 1006, retryAt: 1007)))
        #expect(state.checkpoint(of: 1) == nil)
        try state.apply(Self.intent(1, attempt: 2, at: 1007))
        #expect(state.checkpoint(of: 1) == nil)
        try state.apply(Self.checkpoint(1, attempt: 2, "c"))
        #expect(state.checkpoint(of: 1)?.attempt == 2)
        try state.apply(Self.completed(1, attempt: 2))
        #expect(state.checkpoint(of: 1) == nil && state.checkpoints.isEmpty)
    }

    @Test func aCheckpointOutsideAnAttemptInFlightIsRefused() throws {
        let base: [JournalEntry] = [.started(Self.started), Self.intent(1)]
        let refused: [([JournalEntry], String)] = [
            ([.started(Self.started), Self.checkpoint(1, "x")], "step 1 attempt 1, which is not in flight"),
            (base + [Self.checkpoint(2, "x")], "step 2"),
            (base + [Self.checkpoint(1, attempt: 2, "x")], "attempt 2, which is not in flight"),
            (base + [Self.completed(1), Self.checkpoint(1, "x")], "not in flight"),
            ([.started(Self.started), Self.intent(1, kind: .step), Self.checkpoint(1, "x")], "a step step (only native steps"),
            (base + [Self.completed(1), .finished(ExecutionFinished(status: .succeeded, value: .nil, error: nil, at: 1006)),
                     Self.checkpoint(1, "x")], "follows the execution's final record"),
        ]
        for (entries, words) in refused {
            do {
                _ = try JournalState(entries: entries)
                Issue.record("accepted: \(entries.last.map { "\($0)" } ?? "")")
            } catch let e as JournalOrderError {
                #expect(e.message.contains(words), "\(e.message)")
            }
        }
    }

    @Test func aRedriveForgetsTheCheckpointsOfTheStepsItRunsAgain() throws {
        var state = try JournalState(entries: [
            .started(Self.started), Self.intent(1), Self.completed(1), Self.intent(2), Self.checkpoint(2, "sent"),
            .compensating(Compensating(reason: .aborted, error: StepError(name: "Aborted", message: "a"), atSeq: 2, nextSeq: 3, at: 1010)),
            .finished(ExecutionFinished(status: .aborted, value: .nil, error: StepError(name: "Aborted", message: "a"), at: 1011)),
        ])
        #expect(state.checkpoint(of: 2)?.value == "sent", "the stopped step keeps it")
        try state.apply(.redriven(Redriven(at: 1012, by: "d", reason: nil, fromSeq: 2)))
        #expect(state.checkpoint(of: 2) == nil)
        try state.apply(Self.intent(2, at: 1013))
        #expect(state.checkpoint(of: 2) == nil)
    }

    /// Replay decides from steps only: the same decisions with and without checkpoints.
    @Test func replayDecidesTheSameWithCheckpoints() throws {
        let plain: [JournalEntry] = [.started(Self.started), Self.intent(1), Self.completed(1), Self.intent(2)]
        var with = plain
        with.insert(Self.checkpoint(1, "x"), at: 2)
        with.append(Self.checkpoint(2, "y"))
        var a = ReplayMachine(journal: try JournalState(entries: plain))
        var b = ReplayMachine(journal: try JournalState(entries: with))
        for _ in 1...3 {
            let x = a.request(kind: .native, name: "route53.set_weights", digest: 7, location: "w.lua:3")
            let y = b.request(kind: .native, name: "route53.set_weights", digest: 7, location: "w.lua:3")
            #expect(x.seq == y.seq && x.decision == y.decision)
        }
        #expect(a.journal.steps == b.journal.steps)
    }

    @Test func historyShowsACheckpointAndImportsItBack() throws {
        let entries: [JournalEntry] = [.started(Self.started), Self.intent(1), Self.checkpoint(1, ["change_id": "C1", "changed": true]),
                                       .resumed(Resumed(at: 1003, host: "h", pid: 2, scriptChanged: false)), Self.intent(1, at: 1004),
                                       Self.completed(1)]
        let shown = HistoryEntry(index: 3, entries[2])
        #expect(shown.kind == "checkpoint" && shown.seq == 1 && shown.attempt == 1)
        #expect(shown.result == ["change_id": "C1", "changed": true] && shown.detail?.contains("in flight") == true)
        let json = try HistoryImportTests.export(entries)
        #expect(try HistoryImport.entries(json: json, path: "h.json") == entries)
    }

    // MARK: the runner

    /// `probe.send`: a stand-in for a step that sends a request and then waits for it. It sends
    /// (counts) unless it was resumed with a checkpoint, checkpoints what it sent, and reports what
    /// it was handed.
    struct ProbePlugin: StepPlugin {
        final class Box: @unchecked Sendable {
            private let lock = NSLock()
            private var _sends = 0
            private var _seen: [(inFlight: Bool, checkpoint: LuaValue?, attempt: Int)] = []
            func send() -> Int { lock.withLock { _sends += 1; return _sends } }
            func saw(_ context: StepContext) {
                lock.withLock { _seen.append((context.resumedInFlight, context.resumedCheckpoint, context.attempt)) }
            }
            var sends: Int { lock.withLock { _sends } }
            var seen: [(inFlight: Bool, checkpoint: LuaValue?, attempt: Int)] { lock.withLock { _seen } }
        }

        struct Input: Decodable, Sendable {
            var fail_first: Bool?
            var size: Int?
            var forever: Bool?
        }

        let box = Box()
        let name = "probe"
        let summary = "test plugin"

        var functions: [StepFunction] {
            let box = self.box
            return [
                StepFunction.make("send", summary: "sends once, then waits", idempotent: true,
                                  retry: RetryPolicy(initial: 0.01, backoff: 1, maxInterval: 0.01, maxAttempts: 2),
                                  input: Input.self) { input, context -> LuaValue in
                    box.saw(context)
                    if let size = input.size {
                        try await context.checkpoint(.string(String(repeating: "x", count: size)))
                        return "recorded"
                    }
                    if input.forever == true {
                        var n = 0
                        while true {
                            n += 1
                            try await context.checkpoint(["n": .int(Int64(n))])
                        }
                    }
                    let id: LuaValue
                    if let earlier = context.resumedCheckpoint {
                        id = earlier["id"]
                    } else {
                        id = .string("C\(box.send())")
                        try await context.checkpoint(["id": id])
                    }
                    if input.fail_first == true && context.attempt == 1 {
                        throw StepFailure("ChangeNotInSync", "still PENDING")
                    }
                    return ["id": id]
                },
            ]
        }
    }

    static let script = """
        local probe = require "flow.probe"
        local a = probe.send{}
        local b = flow.step("after", function() return a.id .. "!" end)
        return { id = a.id, after = b }
        """

    /// A new execution `to` holding `entries` (the start record renamed), with `from`'s script.
    static func journal(_ h: WorkflowHarness, from: String, to: String, _ entries: [JournalEntry]) throws {
        try h.writeExecution(to, scriptOf: from, entries)
    }

    @Test func aCheckpointIsJournaledBetweenTheIntentAndTheOutcome() async throws {
        let h = try WorkflowHarness()
        let probe = ProbePlugin()
        h.registry.register(probe)
        let outcome = try await h.run(h.write("w.lua", Self.script), id: "full")
        #expect(outcome == .succeeded(["id": "C1", "after": "C1!"]))
        let entries = try h.entries("full")
        #expect(entries.count == 7, "started, intent, checkpoint, completed, 2 for the pure step, finished: \(entries)")
        guard case .stepCheckpoint(let c) = entries[2], case .intent(let i) = entries[1], case .completed(let done) = entries[3] else {
            Issue.record("\(entries)")
            return
        }
        #expect(c.seq == 1 && c.attempt == 1 && c.value == ["id": "C1"] && c.at >= i.at && c.at <= done.at)
        #expect(probe.box.sends == 1 && probe.box.seen.map(\.inFlight) == [false] && probe.box.seen[0].checkpoint == nil)
        let history = try HistoryEntry.load(home: h.home, id: "full")
        #expect(history.map(\.kind) == ["started", "native.start", "checkpoint", "completed", "step.start", "completed", "finished"])
        #expect(history[2].kind == "checkpoint" && history[2].result == ["id": "C1"])
    }

    /// Killed after the checkpoint, killed again after the resumed attempt's intent, resumed:
    /// the attempt run again gets the checkpoint each time and sends nothing.
    @Test func anAttemptResumedInFlightGetsItsCheckpointHoweverManyKillsLandInIt() async throws {
        let h = try WorkflowHarness()
        let probe = ProbePlugin()
        h.registry.register(probe)
        let clean = try await h.run(h.write("w.lua", Self.script), id: "full")
        let entries = try h.entries("full")
        #expect(probe.box.sends == 1)

        // Killed waiting, after the checkpoint: started, intent, checkpoint.
        try Self.journal(h, from: "full", to: "once", Array(entries.prefix(3)))
        #expect(try await h.resume("once") == clean)
        // Killed twice in the step: the second process died before it recorded anything.
        try Self.journal(h, from: "full", to: "twice", Array(entries.prefix(3)) + [
            .resumed(Resumed(at: 1_900_000_000_000, host: "h", pid: 2, scriptChanged: false)),
            { if case .intent(var i) = entries[1] { i.at = 1_900_000_000_001; return .intent(i) }; return entries[1] }(),
        ])
        #expect(try await h.resume("twice") == clean)
        #expect(probe.box.sends == 1, "no resumed attempt sent again")
        let resumed = probe.box.seen.dropFirst()
        #expect(resumed.count == 2 && resumed.allSatisfy { $0.inFlight && $0.checkpoint == ["id": "C1"] && $0.attempt == 1 })

        // Each resumed attempt carried on without recording another checkpoint.
        let twice = try h.entries("twice")
        #expect(twice.filter { if case .stepCheckpoint = $0 { true } else { false } }.count == 1)
        let state = try JournalReading.read(home: h.home, id: "twice").state
        #expect(state.finished?.status == .succeeded && state.checkpoints.isEmpty && state.step(1)?.attempts.count == 1)

        // Killed before the checkpoint (after the request, perhaps): the attempt runs again, and sends.
        try Self.journal(h, from: "full", to: "early", Array(entries.prefix(2)))
        #expect(try await h.resume("early") == .succeeded(["id": "C2", "after": "C2!"]))
        #expect(probe.box.sends == 2 && probe.box.seen.last?.inFlight == true && probe.box.seen.last?.checkpoint == nil)
    }

    @Test func aRetryStartsWithoutTheCheckpointOfTheAttemptBefore() async throws {
        let h = try WorkflowHarness()
        let probe = ProbePlugin()
        h.registry.register(probe)
        let script = h.write("w.lua", """
            local probe = require "flow.probe"
            return probe.send{ fail_first = true }
            """)
        #expect(try await h.run(script, id: "r") == .succeeded(["id": "C2"]))
        #expect(probe.box.seen.map(\.attempt) == [1, 2] && probe.box.seen.allSatisfy { !$0.inFlight && $0.checkpoint == nil })
        let checkpoints = try h.entries("r").compactMap { if case .stepCheckpoint(let c) = $0 { c } else { nil } }
        #expect(checkpoints.map(\.attempt) == [1, 2] && checkpoints.map(\.value) == [["id": "C1"], ["id": "C2"]])
    }

    @Test func aCheckpointTooLargeFailsTheStep() async throws {
        let h = try WorkflowHarness()
        h.registry.register(ProbePlugin())
        let script = h.write("w.lua", """
            local probe = require "flow.probe"
            local ok, err = pcall(probe.send, { size = 70000 })
            return { ok = ok, name = err.name, message = err.message, small = probe.send{ size = 100 } }
            """)
        let outcome = try await h.run(script, id: "big")
        guard case .succeeded(let r) = outcome else { Issue.record("\(outcome)"); return }
        #expect(r["ok"] == false && r["name"] == "CheckpointTooLarge" && r["small"] == "recorded")
        #expect(r["message"].stringValue?.contains("64 KiB") == true)
        #expect(try h.entries("big").filter { if case .stepCheckpoint = $0 { true } else { false } }.count == 1)
    }

    /// A step checkpointing without pause when its timeout ends it: the runner stops taking
    /// checkpoints, the step's pending one is cancelled, and the attempt fails with Timeout.
    /// (5 s: on a stalled machine the first sync alone took longer than a shorter timeout.)
    @Test func aStepStoppedWhileItCheckpointsDoesNotHangTheRunner() async throws {
        let h = try WorkflowHarness()
        h.registry.register(ProbePlugin())
        let script = h.write("w.lua", """
            local probe = require "flow.probe"
            local ok, err = pcall(probe.send, { forever = true, timeout = 5, retry = { max_attempts = 1 } })
            return { ok = ok, name = err.name }
            """)
        let started = ContinuousClock.now
        #expect(try await h.run(script, id: "loop") == .succeeded(["ok": false, "name": "Timeout"]))
        #expect(ContinuousClock.now - started < .seconds(30))
        let entries = try h.entries("loop")
        let state = try JournalState(entries: entries)
        #expect(state.finished?.status == .succeeded && state.checkpoints.isEmpty)
        #expect(entries.filter { if case .stepCheckpoint = $0 { true } else { false } }.count >= 1)
    }
}
