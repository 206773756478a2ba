import Synchronization

/// What went wrong in the test's own set-up during a run (a step neither mocked nor simulated,
/// a mock that ran out, a scheduled change the simulated cloud refused). The workflow sees a
/// non-retryable step failure; the test case fails with these messages whatever the workflow
/// did with that failure.
public final class TestProblems: Sendable {
    private let list = Mutex<[String]>([])

    public init() {}

    public func add(_ problem: String) {
        list.withLock { $0.append(problem) }
    }

    public var all: [String] { list.withLock { $0 } }
}
