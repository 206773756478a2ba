/// Median, min and max of repeated measurements, and a clock to take them with.
struct BenchSample: Codable, Sendable {
    var median: Double
    var min: Double
    var max: Double
    var runs: Int
    var values: [Double]

    init(_ values: [Double]) {
        let sorted = values.sorted()
        precondition(!sorted.isEmpty, "a sample needs at least one value")
        let mid = sorted.count / 2
        self.median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        self.min = sorted.first!
        self.max = sorted.last!
        self.runs = sorted.count
        self.values = values
    }

    /// The same runs expressed as a rate: `count / seconds` for each value.
    func rate(count: Int) -> BenchSample {
        BenchSample(values.map { Double(count) / $0 })
    }
}

enum BenchClock {
    /// Seconds spent in `body`.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return seconds(since: start)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        seconds(ContinuousClock.now - start)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
