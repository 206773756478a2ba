import Foundation
import FlowLua
import FlowWAL
import Synchronization
import Testing
@testable import FlowEngine

/// The executions of one process commit their steps with the sync off the cooperative pool
/// (PendingWork.commit, FlowWAL/BlockingIO.swift), so they go on while each other's syncs are in
/// flight: shared rounds (FlowWAL/GroupCommit.swift, one fdatasync of a shared log each) or an
/// fdatasync per journal.
@Suite("group commit across executions")
struct GroupCommitTests {
    @Test("executions in one process interleave their durable steps instead of taking turns per CPU",
          arguments: [true, false])
    func executionsInterleave(groupCommit: Bool) async throws {
        let h = try WorkflowHarness()
        let script = h.write("steps.lua", """
            local total = 0
            for i = 1, 10 do total = total + flow.step("add", function() return i end) end
            return total
            """)
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let count = max(24, 4 * cpus)
        // Steps done per execution, and the most executions that were between their first and
        // last step at once. A step that blocked its pool thread in fdatasync would let at most
        // one execution per pool thread (one per CPU) be in that state.
        let progress = Progress()
        let outcomes = try await withThrowingTaskGroup(of: RunOutcome.self) { group in
            for n in 0..<count {
                let id = "e\(n)"
                var options = h.options()
                options.groupCommit = groupCommit
                options.observer = { event in
                    guard case .stepSucceeded = event else { return }
                    progress.stepDone(in: id, of: 10)
                }
                group.addTask { try await ExecutionRunner(.start(script: script, id: id, params: [:]), options: options).run() }
            }
            return try await group.reduce(into: [RunOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.count == count)
        for outcome in outcomes {
            guard case .succeeded(let value) = outcome else { Issue.record("\(outcome)"); continue }
            #expect(value == .int(55))
        }
        let p = progress.state.withLock { $0 }
        #expect(p.done.values.allSatisfy { $0 == 10 } && p.done.count == count)
        #expect(p.peak > cpus + 1, "at most \(p.peak) executions were mid-way at once on \(cpus) CPUs")
        // Every step's outcome is in its journal: each execution's records read back.
        for n in 0..<count {
            let completed = try h.entries("e\(n)").filter { if case .completed = $0 { true } else { false } }
            #expect(completed.count == 10)
        }
        // With group commit they were durable in the home's shared log until it is retired: then
        // each journal is synced on its own and the shared log removed.
        let shared = (try? FileManager.default.contentsOfDirectory(atPath: h.home.sharedLogDirectory)) ?? []
        #expect(shared.contains { $0 != "recovery.lock" } == groupCommit, "\(shared)")
        if groupCommit {
            try SharedCommitLogs.finish()
            let left = try FileManager.default.contentsOfDirectory(atPath: h.home.sharedLogDirectory)
            #expect(left == ["recovery.lock"], "\(left)")
        }
    }
}

/// Steps done per execution, and the most executions between their first and last step at once.
private final class Progress: Sendable {
    let state = Mutex((done: [String: Int](), active: 0, peak: 0))

    func stepDone(in id: String, of steps: Int) {
        state.withLock { p in
            let d = p.done[id, default: 0] + 1
            p.done[id] = d
            if d == 1 { p.active += 1 }
            if d == steps { p.active -= 1 }
            p.peak = max(p.peak, p.active)
        }
    }
}
