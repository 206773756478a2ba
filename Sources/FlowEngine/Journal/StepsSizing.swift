import FlowWAL

/// How many steps a journal being folded will hold, guessed once from its first steps' bytes and
/// the log's size, so the steps array is allocated once. Growing it by doubling instead moved
/// every step again at each doubling (5 % of a 200,000-step resume in a profile) and, at the
/// last one, held the old and the new array at once: half as much memory again at the peak.
struct StepsSizing {
    /// Steps seen before guessing: enough to average out the first records' sizes.
    static let sample = 1024

    private var firstStepAt: UInt64?
    private var done = false

    /// The number of steps to reserve room for, once, when the fold has just reached `sample`
    /// steps; nil at every other record.
    mutating func estimate(steps: Int, record: WALRecordView) -> Int? {
        guard !done else { return nil }
        if firstStepAt == nil {
            if steps >= 1 { firstStepAt = record.logOffset }
            return nil
        }
        guard steps >= Self.sample, let first = firstStepAt else { return nil }
        done = true
        // The record seen now is the intent of step `sample`: the bytes since step 1's intent
        // hold the steps before it.
        let used = record.logOffset > first ? record.logOffset - first : 0
        let perStep = used / UInt64(steps - 1)
        guard perStep > 0, record.logSize > record.logOffset else { return nil }
        let more = (record.logSize - record.logOffset) / perStep
        let expected = steps + Int(clamping: more)
        return expected + expected / 8
    }
}
