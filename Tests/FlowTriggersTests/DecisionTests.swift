import FlowEvents
import Testing
@testable import FlowTriggers

@Suite("decisions")
struct DecisionTests {
    @Test("the first matching event of a revision starts it; the execution id comes from the key")
    func firstEventStarts() throws {
        var sim = Simulator()
        let d = try sim.feed(ECSEvents.task("a", version: 3, revision: 7))
        #expect(d.kind == .start)
        let key = "\(ECSEvents.cluster),service:canary-green,arn:aws:ecs:us-west-2:111122223333:task-definition/canary-app:7"
        #expect(d.key == key)
        #expect(d.execution == ExecutionIDs.derive(trigger: "t", key: key))
        #expect(sim.state.unfinished.map(\.id) == [d.execution!])
    }

    @Test("an event that does not match is ignored and changes nothing")
    func noMatch() throws {
        var sim = Simulator()
        let d = try sim.feed(ECSEvents.task("a", version: 3, revision: 7), matched: false)
        #expect(d.kind == .ignored)
        #expect(sim.state.executions.isEmpty && sim.state.versions.isEmpty)
    }

    @Test("the same task at the same version is a duplicate, whatever its event id")
    func duplicateByVersion() throws {
        var sim = Simulator()
        #expect(try sim.feed(ECSEvents.task("a", version: 3, revision: 7)).kind == .start)
        let again = try sim.feed(ECSEvents.task("a", version: 3, revision: 7, eventID: "another-delivery"))
        #expect(again.kind == .duplicate)
        #expect(again.reason.contains("version 3"))
        #expect(sim.state.executions.count == 1)
    }

    @Test("a lower version of a task seen at a higher one is stale")
    func staleVersion() throws {
        var sim = Simulator()
        #expect(try sim.feed(ECSEvents.task("a", version: 5, revision: 7)).kind == .start)
        let old = try sim.feed(ECSEvents.task("a", version: 4, revision: 7))
        #expect(old.kind == .stale, "\(old)")
    }

    @Test("a later task of a revision already started is a duplicate by key")
    func duplicateByKey() throws {
        var sim = Simulator()
        let first = try sim.feed(ECSEvents.task("a", version: 3, revision: 7))
        let second = try sim.feed(ECSEvents.task("b", version: 2, revision: 7))
        #expect(second.kind == .duplicate)
        #expect(second.reason.contains(first.execution!))
    }

    @Test("out of order: the newer revision first, then the older one, which is stale")
    func olderRevisionIsStale() throws {
        var sim = Simulator()
        #expect(try sim.feed(ECSEvents.task("b", version: 2, revision: 8)).kind == .start)
        let older = try sim.feed(ECSEvents.task("a", version: 9, revision: 7))
        #expect(older.kind == .stale, "\(older)")
        #expect(older.reason.contains("canary-app:7 is older than canary-app:8"))
        // Even after the newer rollout finished: flow never rolls back on its own.
        try sim.end(sim.state.unfinished[0].id)
        #expect(try sim.feed(ECSEvents.task("c", version: 2, revision: 6)).kind == .stale)
    }

    @Test("revisions of another family, or of another service, are not compared")
    func revisionsComparedPerServiceAndFamily() throws {
        var sim = Simulator()
        #expect(try sim.feed(ECSEvents.task("a", version: 2, revision: 8)).kind == .start)
        #expect(try sim.feed(ECSEvents.task("b", version: 2, revision: 3, service: "other")).kind == .start)
        try sim.end(sim.state.unfinished[0].id)
        #expect(try sim.feed(ECSEvents.task("c", version: 2, revision: 1, family: "renamed")).kind == .start)
    }

    @Test("every order of many deliveries of two revisions starts each exactly once, newer after older")
    func shuffledDeliveries() throws {
        var events: [JSONValue] = []
        for task in 0..<5 {
            for v in 1...3 {
                events.append(ECSEvents.task("r7-\(task)", version: v, revision: 7))
                events.append(ECSEvents.task("r8-\(task)", version: v, revision: 8))
            }
        }
        var rng = SplitMix(seed: 42)
        for round in 0..<200 {
            var sim = Simulator()
            sim.policy = .queue
            var deliveries = events + events
            deliveries.shuffle(using: &rng)
            var starts: [Int64] = []
            for e in deliveries {
                let d = try sim.feed(e)
                if d.kind == .start || d.kind == .queued { starts.append(EventFacts(event: e).revision!) }
                // A rollout finishes now and then, as in life; a waiting one then starts.
                if Bool.random(using: &rng), let running = sim.state.unfinished.first {
                    try sim.end(running.id)
                    for p in sim.state.promotable { try sim.promote(p.id) }
                }
            }
            let started = sim.state.executions.values.filter { if case .dropped = $0.phase { false } else { true } }
            let revisions = started.compactMap(\.facts.revision).sorted()
            // 8 always rolls out; 7 too unless 8 was seen first (then 7 is stale).
            #expect(revisions == [7, 8] || revisions == [8], "round \(round): \(revisions)")
            #expect(Set(revisions).count == revisions.count, "round \(round): a revision started twice")
            if revisions == [8] { #expect(starts.first == 8, "round \(round): 7 only stale once 8 was seen") }
        }
    }

    @Test("reject: a newer revision while a rollout runs is rejected, and stays rejected")
    func rejectPolicy() throws {
        var sim = Simulator()
        let running = try sim.feed(ECSEvents.task("a", version: 2, revision: 7))
        let newer = try sim.feed(ECSEvents.task("b", version: 2, revision: 8))
        #expect(newer.kind == .rejected)
        #expect(newer.execution == nil)
        #expect(newer.reason.contains(running.execution!))
        try sim.end(running.execution!)
        let later = try sim.feed(ECSEvents.task("c", version: 2, revision: 8))
        #expect(later.kind == .duplicate && later.reason.contains("rejected"), "\(later)")
        // A revision rejected is not "started": an older one than it may still start.
        #expect(sim.state.services.values.first?.newest["canary-app"] == 7)
    }

    @Test("queue: a newer revision waits for the running one; a newer still replaces it")
    func queuePolicy() throws {
        var sim = Simulator()
        sim.policy = .queue
        let r7 = try sim.feed(ECSEvents.task("a", version: 2, revision: 7))
        let r8 = try sim.feed(ECSEvents.task("b", version: 2, revision: 8))
        #expect(r8.kind == .queued)
        #expect(sim.state.promotable.isEmpty, "nothing starts while 7 runs")
        let r9 = try sim.feed(ECSEvents.task("c", version: 2, revision: 9))
        #expect(r9.kind == .queued)
        #expect(r9.replaces == r8.execution)
        #expect(sim.state.executions[r8.execution!]?.phase == .dropped(by: r9.execution!))
        #expect(try sim.feed(ECSEvents.task("d", version: 2, revision: 8)).kind == .duplicate)
        try sim.end(r7.execution!)
        #expect(sim.state.promotable.map(\.id) == [r9.execution!])
        try sim.promote(r9.execution!)
        #expect(sim.state.unfinished.map(\.id) == [r9.execution!])
        #expect(sim.state.promotable.isEmpty)
    }

    @Test("supersede: cancels the running rollout once, then the newest waiting one starts")
    func supersedePolicy() throws {
        var sim = Simulator()
        sim.policy = .supersede
        let r7 = try sim.feed(ECSEvents.task("a", version: 2, revision: 7))
        let r8 = try sim.feed(ECSEvents.task("b", version: 2, revision: 8))
        #expect(r8.kind == .superseding)
        #expect(r8.cancels == r7.execution)
        #expect(sim.state.cancellations.map(\.running) == [r7.execution!])
        let r9 = try sim.feed(ECSEvents.task("c", version: 2, revision: 9))
        #expect(r9.kind == .superseding)
        #expect(r9.cancels == nil, "7 is being cancelled already")
        #expect(r9.replaces == r8.execution)
        try sim.end(r7.execution!, .cancelled)
        #expect(sim.state.promotable.map(\.id) == [r9.execution!])
    }

    @Test("an event without a key matches but starts nothing")
    func noKey() throws {
        var sim = Simulator()
        let d = try sim.feed(["detail": ["clusterArn": "c"]])
        #expect(d.kind == .ignored)
        #expect(d.reason.contains("detail.group"), "\(d.reason)")
    }

    @Test("without a service (a custom key over other events) each key starts once, with no ordering")
    func customKeyWithoutService() throws {
        var sim = Simulator()
        sim.key = try KeyExpression("detail.build")
        #expect(try sim.feed(["detail": ["build": "b1"]]).kind == .start)
        #expect(try sim.feed(["detail": ["build": "b2"]]).kind == .start)
        #expect(try sim.feed(["detail": ["build": "b1"]]).kind == .duplicate)
        #expect(sim.state.unfinished.count == 2, "no service: no limit of one at a time")
    }
}

/// A seeded generator, so a failing shuffle can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
