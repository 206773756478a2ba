import FlowWAL
import Testing

struct SyncPolicyTests {
    private func writer(_ policy: SyncPolicy, interval: Duration = .milliseconds(10), in dir: TempDir) throws -> WALWriter {
        var options = WALOptions()
        options.syncPolicy = policy
        options.batchInterval = interval
        return try WALWriter.create(directory: dir.path, options: options)
    }

    @Test func alwaysSyncsOnEveryCommit() throws {
        let dir = TempDir()
        let log = try writer(.always, in: dir)
        for index in 1...5 {
            try log.append(type: 1, payload: payload(index))
            try log.commit()
            #expect(log.syncCount == index)
        }
        try log.commit()  // nothing appended since: nothing to make durable
        #expect(log.syncCount == 5)
        try log.close()
        #expect(log.syncCount == 5)
    }

    @Test func noneNeverSyncsOnCommitOrClose() throws {
        let dir = TempDir()
        let log = try writer(.none, in: dir)
        for index in 1...5 {
            try log.append(type: 1, payload: payload(index))
            try log.commit()
        }
        try log.close()
        #expect(log.syncCount == 0)
        #expect(try WALReader.read(directory: dir.path).records.count == 5)
    }

    @Test func syncAlwaysSyncsWhateverThePolicy() throws {
        let dir = TempDir()
        let log = try writer(.none, in: dir)
        try log.append(type: 1, payload: [1])
        try log.sync()
        try log.sync()
        #expect(log.syncCount == 2)
        try log.close()
    }

    @Test func batchSyncsOnlyOnceTheIntervalHasPassed() throws {
        let dir = TempDir()
        let slow = try writer(.batch, interval: .seconds(3600), in: dir)
        for index in 1...5 {
            try slow.append(type: 1, payload: payload(index))
            try slow.commit()
        }
        #expect(slow.syncCount == 0)
        try slow.close()  // close makes the batch durable
        #expect(slow.syncCount == 1)

        let other = TempDir()
        let eager = try writer(.batch, interval: .zero, in: other)
        for index in 1...3 {
            try eager.append(type: 1, payload: payload(index))
            try eager.commit()
        }
        #expect(eager.syncCount == 3)
        try eager.close()
    }

    @Test func alwaysSyncsOnCloseWhenSomethingIsUncommitted() throws {
        let dir = TempDir()
        let log = try writer(.always, in: dir)
        try log.append(type: 1, payload: [1])
        try log.close()
        #expect(log.syncCount == 1)
    }

    @Test func rollingSyncsTheOldSegmentEvenUnderNone() throws {
        var options = WALOptions()
        options.syncPolicy = .none
        options.segmentSize = 100
        let dir = TempDir()
        let log = try WALWriter.create(directory: dir.path, options: options)
        try log.append(type: 1, payload: payload(0, size: 80))
        try log.append(type: 1, payload: payload(1, size: 80))
        #expect(log.syncCount == 1)
        try log.close()
    }

    @Test func policiesAreNamed() {
        #expect(SyncPolicy.allCases.map(\.rawValue) == ["always", "batch", "none"])
        #expect(WALOptions().syncPolicy == .always)
    }
}
