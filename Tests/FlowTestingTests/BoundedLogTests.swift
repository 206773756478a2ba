@testable import FlowTesting
import Testing

/// A week of one-second measurements must not become a gigabyte report: the first and the last
/// entries are kept, with the count.
@Suite struct BoundedLogTests {
    @Test func keepsTheHeadAndTheTailAndCountsTheRest() {
        var log = BoundedLog<Int>(head: 3, tail: 4)
        for i in 0..<20 { #expect(log.append(i) == i) }
        #expect(log.entries == [0, 1, 2, 16, 17, 18, 19])
        #expect(log.total == 20)
        #expect(log.dropped == 13)
        log.update(17) { $0 = -17 }
        log.update(1) { $0 = -1 }
        log.update(5) { $0 = -5 }  // not kept: nothing to change
        #expect(log.entries == [0, -1, 2, 16, -17, 18, 19])
    }

    @Test func shortLogsAreKeptWhole() {
        var log = BoundedLog<Int>(head: 3, tail: 4)
        for i in 0..<6 { log.append(i) }
        #expect(log.entries == [0, 1, 2, 3, 4, 5])
        log.update(5) { $0 = 50 }
        #expect(log.entries.last == 50)
        #expect(log.dropped == 0)
    }
}
