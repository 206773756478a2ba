import FlowWAL
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct ScanSpeedTests {
    /// 200k records of ~100 bytes. Release builds scan them in well under 100 ms; the bound here is
    /// loose because tests usually run as debug builds.
    @Test func scanning200kRecordsIsFast() throws {
        var options = WALOptions()
        options.syncPolicy = .none
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path, options: options)
        let bytes = payload(1, size: 100)
        let appendStart = ContinuousClock.now
        for _ in 0..<200_000 { try writer.append(type: 1, payload: bytes) }
        let appendTime = ContinuousClock.now - appendStart
        try writer.close()

        let start = ContinuousClock.now
        let result = try WALReader.read(directory: dir.path)
        let scanTime = ContinuousClock.now - start
        #expect(result.records.count == 200_000)
        #expect(result.records.last?.payload == bytes)
        print("FlowWAL: appended 200k x 100 B in \(appendTime), scanned in \(scanTime)")
        #expect(scanTime < .seconds(5))
    }
}
