import Foundation
import Testing

/// A `flow run` killed while creating its execution, before the start record: nothing ran, so
/// the id must not stay stuck (found by scripts/crash-campaign, docs/RELIABILITY.md).
@Suite struct InterruptedCreationTests {
    /// What such a kill leaves: the folders, a lock nobody holds, and a segment with only its
    /// header (taken from a real segment) or no segment at all.
    func leaveInterruptedCreation(_ sb: Sandbox, id: String, withHeader: Bool) async throws {
        try sb.write("w.lua", "return 1")
        let r = try await sb.flow(["run", "w.lua", "--id", "donor"])
        #expect(r.code == 0, "\(r)")
        let header = Array(sb.bytes(sb.segment("donor")).prefix(16))
        try FileManager.default.createDirectory(atPath: sb.journalDirectory(id), withIntermediateDirectories: true)
        try sb.write(sb.executionDirectory(id) + "/lock", "")
        if withHeader { try sb.writeBytes(sb.segment(id), header) }
    }

    @Test(arguments: [true, false])
    func runningTheIdAgainStartsItAfresh(withHeader: Bool) async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await leaveInterruptedCreation(sb, id: "x", withHeader: withHeader)
        let r = try await sb.flow(["run", "w.lua", "--id", "x"])
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.contains("was interrupted before it started"))
        #expect(try await sb.statusName("x") == "succeeded")
    }

    @Test func resumingItSaysItNeverStartedAndFreesTheId() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try await leaveInterruptedCreation(sb, id: "y", withHeader: true)
        let r = try await sb.flow(["resume", "y"])
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains("never started"))
        #expect(!sb.executionIDs().contains("y"))
    }
}
