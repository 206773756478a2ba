import FlowEngine

/// The traffic weights over time as an inline SVG, drawn on the server: one stacked area per
/// weighted set (shares of the total, a step function: a weight holds until the next change),
/// y axis 0-100 %, x axis in UTC, a marker with a tooltip per journaled point, and the same
/// data as a table under it (for screen readers and for reading without SVG). Colours come
/// from classes in dashboard.css (`blue` and `green` by name), never from inline styles.
enum WeightsChart {
    static let width = 720.0, height = 260.0
    static let left = 48.0, right = 16.0, top = 12.0, bottom = 40.0

    /// `end`: where the last weights hold until (the finish, or the newest record while running).
    static func render(_ t: ExecutionTimeline) -> String {
        let points = t.weights
        var out = "<section id=\"weights\" aria-labelledby=\"h-weights\">\n<h2 id=\"h-weights\">Traffic weights</h2>\n"
        guard !points.isEmpty else { return out + "<p class=\"empty\">No step read or set traffic weights.</p>\n</section>\n" }
        out += "<figure>\n" + svg(t) + "\n<figcaption>" + legend(sets(points)) + "</figcaption>\n</figure>\n"
        out += table(points)
        return out + "</section>\n"
    }

    static func sets(_ points: [ExecutionTimeline.WeightsPoint]) -> [String] {
        // blue first (the bottom of the stack), green next, others by name.
        Array(Set(points.flatMap { $0.weights.keys })).sorted { a, b in
            let ra = rank(a), rb = rank(b)
            return ra != rb ? ra < rb : a < b
        }
    }

    static func rank(_ set: String) -> Int {
        switch set.lowercased() { case "blue": 0; case "green": 1; default: 2 }
    }

    static func cssClass(_ set: String, index: Int) -> String {
        switch set.lowercased() {
        case "blue": "w-blue"
        case "green": "w-green"
        default: "w-other\(index % 4)"
        }
    }

    static func svg(_ t: ExecutionTimeline) -> String {
        let points = t.weights
        let sets = sets(points)
        let start = min(t.startedAt, points[0].at)
        var end = max(t.outcome.finishedAt ?? t.lastEventAt, points.last!.at)
        if end - start < 1000 { end = start + 1000 }
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ m: Millis) -> Double { left + plotW * Double(m - start) / Double(end - start) }
        func y(_ share: Double) -> Double { top + plotH * (1 - share) }
        func f(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }

        // Cumulative shares per point: the stack's boundaries.
        func shares(_ w: [String: Int]) -> [Double] {
            let total = Double(sets.reduce(0) { $0 + (w[$1] ?? 0) })
            var acc = 0.0
            return sets.map { s in
                acc += total > 0 ? Double(w[s] ?? 0) / total : 0
                return acc
            }
        }
        let stacks = points.map { shares($0.weights) }
        // Segment i spans points[i].at ..< points[i+1].at (the last one until `end`); before the first point, nothing is known.
        let spans = points.indices.map { i in (x(points[i].at), x(i + 1 < points.count ? points[i + 1].at : end)) }

        var out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "role=\"img\" aria-labelledby=\"chart-title chart-desc\">\n"
        out += "<title id=\"chart-title\">Traffic weights over time</title>\n"
        let summary = points.map { "\(StepResultText.clock($0.at)): \(DashValue.weights($0.weights))" }.joined(separator: "; ")
        out += "<desc id=\"chart-desc\">\(HTML.escape(summary))</desc>\n"

        // Grid and y axis: 0, 25, 50, 75, 100 %.
        for pct in stride(from: 0, through: 100, by: 25) {
            let yy = f(y(Double(pct) / 100))
            out += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(yy)\" x2=\"\(f(width - right))\" y2=\"\(yy)\"/>"
            out += "<text class=\"axis\" x=\"\(f(left - 6))\" y=\"\(yy)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(pct)%</text>\n"
        }
        // Areas, top of the stack first so lower ones are drawn over nothing.
        for (k, set) in sets.enumerated() {
            var upper: [String] = [], lower: [String] = []
            for (i, span) in spans.enumerated() {
                let hi = y(stacks[i][k]), lo = y(k == 0 ? 0 : stacks[i][k - 1])
                upper += ["\(f(span.0)),\(f(hi))", "\(f(span.1)),\(f(hi))"]
                lower += ["\(f(span.0)),\(f(lo))", "\(f(span.1)),\(f(lo))"]
            }
            let poly = (upper + lower.reversed()).joined(separator: " ")
            out += "<polygon class=\"area \(cssClass(set, index: k))\" points=\"\(poly)\"><title>\(HTML.escape(set))</title></polygon>\n"
        }
        // Markers at each journaled point, on the boundary between the first and second set.
        for (i, p) in points.enumerated() {
            let cx = f(x(p.at)), cy = f(y(stacks[i][0]))
            let how = switch p.source { case .observed: "read by"; case .set: "set by"; case .restored: "restored by" }
            let tip = "\(StepResultText.clock(p.at)) \(how) #\(p.seq) \(p.step): \(DashValue.weights(p.weights))"
            out += "<circle class=\"mark mark-\(p.source.rawValue)\" cx=\"\(cx)\" cy=\"\(cy)\" r=\"4\"><title>\(HTML.escape(tip))</title></circle>\n"
        }
        if let f0 = t.failback {
            let fx = f(x(f0.at))
            out += "<line class=\"failback\" x1=\"\(fx)\" y1=\"\(f(top))\" x2=\"\(fx)\" y2=\"\(f(top + plotH))\"><title>fail-back (\(f0.reason.rawValue)) at \(StepResultText.clock(f0.at))</title></line>\n"
        }
        // X axis: the start, the end and three times between.
        let axisY = top + plotH
        out += "<line class=\"axis-line\" x1=\"\(f(left))\" y1=\"\(f(axisY))\" x2=\"\(f(width - right))\" y2=\"\(f(axisY))\"/>\n"
        for n in 0...4 {
            let m = start + (end - start) * Millis(n) / 4
            let anchor = n == 0 ? "start" : n == 4 ? "end" : "middle"
            out += "<line class=\"tick\" x1=\"\(f(x(m)))\" y1=\"\(f(axisY))\" x2=\"\(f(x(m)))\" y2=\"\(f(axisY + 4))\"/>"
            out += "<text class=\"axis\" x=\"\(f(x(m)))\" y=\"\(f(axisY + 16))\" text-anchor=\"\(anchor)\">\(DashTime.shortClock(m))</text>\n"
        }
        out += "<text class=\"axis-title\" x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\">time (UTC)</text>\n"
        return out + "</svg>"
    }

    static func legend(_ sets: [String]) -> String {
        "<ul class=\"legend\">" + sets.enumerated().map { k, s in
            "<li><span class=\"swatch \(cssClass(s, index: k))\" aria-hidden=\"true\"></span>\(HTML.escape(s))</li>"
        }.joined() + "</ul>"
    }

    static func table(_ points: [ExecutionTimeline.WeightsPoint]) -> String {
        let sets = sets(points)
        var out = "<details class=\"weights-table\"><summary>Weights as a table</summary>\n<table>\n<thead><tr><th scope=\"col\">Time (UTC)</th><th scope=\"col\">Step</th>"
            + sets.map { "<th scope=\"col\">\(HTML.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for p in points {
            let how = switch p.source { case .observed: "read by"; case .set: "set by"; case .restored: "restored by" }
            out += "<tr><td>\(StepResultText.clock(p.at))</td><td>\(how) #\(p.seq) \(HTML.escape(p.step))</td>"
                + sets.map { "<td class=\"num\">\(p.weights[$0].map(String.init) ?? "-")</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</details>\n"
    }
}
