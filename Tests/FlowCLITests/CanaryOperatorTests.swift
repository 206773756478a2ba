import Foundation
import Testing

/// Operator commands on the canary itself, on the local AWS fixture: a full promotion skips the
/// remaining steps (ending the current watch early) and still checks health at 100 % unless
/// forced; a pause holds the next weight change.
@Suite("canary: operator commands", .serialized)
struct CanaryOperatorTests {
    /// The health.all steps after the last set_weights in the journal.
    func checksAfterLastShift(_ history: [[String: Any]]) -> Int {
        let starts = history.filter { ($0["kind"] as? String ?? "").hasSuffix(".start") && $0["attempt"] as? Int == 1 }
        let names = starts.map { $0["name"] as? String ?? "" }
        guard let last = names.lastIndex(of: "route53.set_weights") else { return -1 }
        return names[(last + 1)...].filter { $0 == "health.all" }.count
    }

    @Test("promote --full: green goes to 100 % now, skipping 50 %, and the final check still runs",
          arguments: [false, true])
    func fullPromotion(force: Bool) async throws {
        try await RolloutWorld.with(fixture: "operators") { w in
            let id = force ? "forced" : "full"
            let p = try w.startCanary(id: id, params: try w.params(wait: 30, poll: 0.5))
            try await w.waitForGreen(10)
            let t0 = ContinuousClock.now
            let promote = try await w.sandbox.flow(["promote", id, "--full", "--reason", "hotfix"] + (force ? ["--force"] : []),
                                                   env: w.env)
            #expect(promote.code == 0, "\(promote)")
            let r = await p.wait(timeout: .seconds(90))
            #expect(r.code == 0, "\(r)")
            // Without the promotion this run would take 3 x 30 s; the full promotion ends the
            // 10 % watch at its next measurement and the final watch (30 s) is all that is left.
            #expect((ContinuousClock.now - t0) < .seconds(force ? 25 : 55), "\(r)")
            #expect(try await w.greenWeightsChanged() == [10, 100])
            #expect(try await w.weights() == ["blue": 0, "green": 100])
            let history = try await w.sandbox.history(id)
            let ops = history.filter { $0["kind"] as? String == "operator" }
            #expect(ops.map { $0["name"] as? String ?? "" } == ["promote_full"], "\(ops)")
            let detail = ops.first?["detail"] as? String ?? ""
            #expect(detail.contains("hotfix"), "\(detail)")
            #expect(checksAfterLastShift(history) == (force ? 0 : 1), "final check after 100 %")
        }
    }

    @Test("pause holds the canary before its next weight change; unpause goes on")
    func pauseHoldsTheNextShift() async throws {
        try await RolloutWorld.with(fixture: "operators") { w in
            // Held after each watch until the test sends promote: the pause is posted after the
            // watch at 10 % and before the shift to 50 %, however slowly a loaded machine starts
            // the commands. A pause posted during a 2 s watch failed the test when it landed too late.
            let hold = try w.holdAfterEachWatch()
            let p = try w.startCanary(id: "held", params: try w.params(wait: 2, poll: 0.5, ["gates": hold.gates]),
                                      extraArgs: hold.args)
            try await w.waitForHold("held")
            #expect(try await w.greenWeightsChanged() == [10])
            #expect(try await w.sandbox.flow(["pause", "held", "--reason", "look at graphs"], env: w.env).code == 0)
            try await w.sandbox.waitForStatus("held", "paused")
            // A pause holds steps, not waits: the gate takes the promote and ends; the shift to 50 % waits.
            #expect(try await w.sandbox.flow(["signal", "held", "promote"]).code == 0)
            let t0 = ContinuousClock.now
            try await w.sandbox.waitUntil("the promote taken") { w.sandbox.inboxFiles("held").isEmpty }
            try await Task.sleep(until: t0 + .seconds(3))
            #expect(try await w.greenWeightsChanged() == [10])
            #expect(try await w.sandbox.statusName("held") == "paused")
            // For the gates after the watches at 50 % and 100 %; kept in the inbox until taken.
            for _ in 0..<2 { #expect(try await w.sandbox.flow(["signal", "held", "promote"]).code == 0) }
            #expect(try await w.sandbox.flow(["unpause", "held"], env: w.env).code == 0)
            let r = await p.wait(timeout: .seconds(60))
            #expect(r.code == 0, "\(r)")
            #expect(try await w.greenWeightsChanged() == [10, 50, 100])
        }
    }
}
