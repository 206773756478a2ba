import Foundation
import Synchronization
import Testing
@testable import FlowWAL

@Suite("blocking I/O threads")
struct BlockingIOTests {
    @Test("blocked jobs run side by side, each on a thread of its own, and the caller gets each result")
    func blockedJobsRunTogether() async throws {
        let pool = BlockingThreads(maxThreads: 32, idleSeconds: 1)
        let arrived = Shared(0)
        // Each job waits until all 16 have started: with fewer than 16 threads at once none returns
        // true (each gives up after 20 s), so the test cannot pass on a pool that serialises them.
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await pool.run {
                        arrived.withLock { $0 += 1 }
                        let giveUp = ContinuousClock.now + .seconds(20)
                        while arrived.withLock({ $0 }) < 16 && ContinuousClock.now < giveUp { usleep(1000) }
                        return arrived.withLock { $0 } >= 16
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 16))
        #expect(pool.takePeak() == 16)
        #expect(pool.started == 16)
    }

    @Test("a thrown error reaches the caller; idle threads leave by themselves")
    func errorsAndIdleThreads() async throws {
        let pool = BlockingThreads(maxThreads: 4, idleSeconds: 1)
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await pool.run { () throws -> Int in throw Boom() } }
        #expect(try await pool.run { 42 } == 42)
        // Not threadCount: on a stalled machine the idle second may already be over here.
        #expect(pool.started >= 1)
        let giveUp = ContinuousClock.now + .seconds(20)
        while pool.threadCount > 0 && ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(100)) }
        #expect(pool.threadCount == 0, "an idle thread did not leave")
        #expect(try await pool.run { 7 } == 7, "a job after the threads left starts a new one")
    }

    @Test("no more threads than the cap: extra jobs wait for a free one")
    func capIsKept() async throws {
        let pool = BlockingThreads(maxThreads: 3, idleSeconds: 1)
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<30 { group.addTask { try await pool.run { usleep(2000); return i } } }
            return try await group.reduce(0, +)
        }
        #expect(sum == (0..<30).reduce(0, +))
        let peak = pool.takePeak()
        #expect(peak >= 1 && peak <= 3, "\(peak) jobs ran at once")
    }
}

/// A value several tasks and threads update under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
