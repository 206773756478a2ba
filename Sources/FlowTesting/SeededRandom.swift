import Synchronization

/// SplitMix64: the same numbers for the same seed, so a test's jittered retry times and
/// `flow.random` values repeat from run to run.
final class SeededRandom: Sendable {
    private let state: Mutex<UInt64>

    init(seed: UInt64) {
        state = Mutex(seed)
    }

    /// Uniform in [0, 1).
    func next() -> Double {
        let x: UInt64 = state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Double(x >> 11) * 0x1.0p-53
    }
}
