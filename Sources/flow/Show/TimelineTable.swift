import FlowEngine

/// The steps table, like the Step Functions console's table view: one row per step, an
/// indented row per failed attempt (its error and the backoff before the next one), and rows
/// for operator actions, resumes and the start of fail-back, in time order.
enum TimelineTable {
    static func make(_ t: ExecutionTimeline) -> TextTable {
        var table = TextTable(columns: [
            .init(title: "#", right: true, dropRank: 5),
            .init(title: "STEP", maxWidth: 32, shrinkRank: 2, minWidth: 10),
            .init(title: "KIND", dropRank: 1),
            .init(title: "START (UTC)", dropRank: 3),
            .init(title: "DURATION", right: true, dropRank: 4),
            .init(title: "TRIES", right: true, dropRank: 2),
            .init(title: "RESULT", shrinkRank: 1, minWidth: 12),
        ])
        let withDate = TimeText.day(t.startedAt) != TimeText.day(t.lastEventAt)
        func clock(_ m: Millis) -> String { TimeText.clock(m, withDate: withDate) }

        for row in t.rows {
            switch row {
            case .event(let i):
                table.add(event(t.events[i], held: held(t, pauseAt: i), clock: clock))
            case .step(let i):
                let s = t.steps[i]
                table.add([
                    .init(String(s.seq)), .init(s.name, s.phase == .compensation ? .cyan : nil), .init(s.kind.rawValue),
                    .init(clock(s.startedAt)), .init(s.duration.map(TimeText.duration) ?? ""),
                    .init(String(s.attempts.count), s.attempts.count > 1 ? .yellow : nil), ResultText.step(s, stop: t.failback?.reason),
                ])
                guard s.attempts.count > 1 else { continue }
                for a in s.attempts where a.status == .failed {
                    let retry = a.backoff.map { " (retry in " + ($0 < 60_000 ? TimeText.seconds($0) : TimeText.duration($0)) + ")" } ?? ""
                    table.add([
                        "", .init("  ↳ attempt \(a.attempt)", .dim), "", .init(clock(a.startedAt), .dim),
                        .init(a.duration.map(TimeText.duration) ?? "", .dim), "",
                        .init(a.error.map { $0.name + retry + ": " + $0.message } ?? "failed" + retry, .red),
                    ])
                }
            }
        }
        return table
    }

    /// How long a pause held: until the next unpause or promotion.
    static func held(_ t: ExecutionTimeline, pauseAt i: Int) -> Millis? {
        guard case .operatorAction(let pause) = t.events[i], pause.action == .pause else { return nil }
        for e in t.events[(i + 1)...] {
            if case .operatorAction(let a) = e, a.action != .pause { return a.at - pause.at }
        }
        return nil
    }

    static func event(_ e: ExecutionTimeline.Event, held: Millis?, clock: (Millis) -> String) -> [TextTable.Cell] {
        switch e {
        case .operatorAction(let a):
            var name = a.action.rawValue
            if a.force { name += " (forced)" }
            return ["", .init(name, .bold), "operator", .init(clock(a.at)), .init(held.map(TimeText.duration) ?? ""), "",
                    .init("by \(a.by)" + (a.reason.map { ": \($0)" } ?? ""))]
        case .resumed(let r):
            return ["", .init("resumed", .bold), "resume", .init(clock(r.at)), "", "",
                    .init("host \(r.host) pid \(r.pid)" + (r.scriptChanged ? " (script changed)" : ""))]
        case .compensating(let c):
            return ["", .init("fail-back", .bold), "failback", .init(clock(c.at)), "", "",
                    .init(c.reason.rawValue + (ExecutionTimeline.stoppedAt(c).map { " at step \($0)" } ?? "") + ": "
                          + ResultText.error(c.error), c.reason == .failed ? .red : .yellow)]
        }
    }
}
