import FlowLua

/// A weighted record's weights by set identifier (`{blue = 90, green = 10}`), in display order,
/// as `route53.set_weights` and `failback.restore` take them and as route53 and failback steps
/// return them (`result.weights`).
struct Weights: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var weight: Int
    }

    var sets: [Entry]

    init(sets: [Entry]) { self.sets = sets }

    /// A table of integer weights; nil for anything else (or an empty table).
    init?(_ value: LuaValue) {
        guard case .table(let fields) = value, !fields.isEmpty else { return nil }
        var sets: [Entry] = []
        for (name, w) in fields {
            switch w {
            case .int(let n): sets.append(Entry(name: name, weight: Int(clamping: n)))
            case .double(let d) where d == d.rounded() && abs(d) < 1e9: sets.append(Entry(name: name, weight: Int(d)))
            default: return nil
            }
        }
        self.sets = Self.conventional(sets)
    }

    /// "blue" then "green", then the others by name.
    private static func conventional(_ sets: [Entry]) -> [Entry] {
        func rank(_ n: String) -> Int { n == "blue" ? 0 : n == "green" ? 1 : 2 }
        return sets.sorted { (rank($0.name), $0.name) < (rank($1.name), $1.name) }
    }

    /// The same weights with the sets in `order` first (names not in it keep their place after).
    func ordered(by order: [String]) -> Weights {
        let known = order.compactMap { name in sets.first { $0.name == name } }
        return Weights(sets: known + sets.filter { !order.contains($0.name) })
    }

    /// The weights a route53 or failback step is asked to set (`args.weights`), or reports
    /// (`result.weights`); nil for other steps.
    static func of(step name: String, _ value: LuaValue) -> Weights? {
        guard name.hasPrefix("route53.") || name.hasPrefix("failback.") else { return nil }
        return Weights(value["weights"])
    }

    var total: Int { sets.reduce(0) { $0 + max(0, $1.weight) } }

    /// Each set's share in whole percent, summing to 100 (largest remainders get the rounding);
    /// all 0 when every weight is 0.
    var percents: [Int] { Self.apportion(sets.map { max(0, $0.weight) }, into: 100) }

    /// `parts` split into `total` units proportionally, the units lost to rounding given to the
    /// largest remainders.
    static func apportion(_ parts: [Int], into total: Int) -> [Int] {
        let sum = parts.reduce(0, +)
        guard sum > 0, total > 0 else { return parts.map { _ in 0 } }
        var shares = parts.map { $0 * total / sum }
        let remainders = parts.enumerated().map { ($0.offset, ($0.element * total) % sum) }
        var left = total - shares.reduce(0, +)
        for (i, _) in remainders.sorted(by: { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) where left > 0 {
            shares[i] += 1
            left -= 1
        }
        return shares
    }

    /// "blue 90 | green 10": the weights as set (Route53's numbers, 0-255).
    var text: String { sets.map { "\($0.name) \($0.weight)" }.joined(separator: " | ") }

    /// "blue 90% | green 10%".
    var percentText: String {
        zip(sets, percents).map { "\($0.name) \($1)%" }.joined(separator: " | ")
    }
}
