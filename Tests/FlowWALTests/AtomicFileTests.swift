import FlowWAL
import Foundation
import Testing

struct AtomicFileTests {
    @Test func createsTheFileWithMode0600() throws {
        let dir = TempDir()
        let path = dir.sub("state.json")
        try AtomicFile.write(path: path, contents: Array("{\"a\":1}".utf8))
        #expect(try readBytes(path) == Array("{\"a\":1}".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func replacesTheOldContentAndLeavesNoTemporaryFile() throws {
        let dir = TempDir()
        let path = dir.sub("index")
        try AtomicFile.write(path: path, contents: [UInt8](repeating: 7, count: 10_000))
        try AtomicFile.write(path: path, contents: [1, 2, 3])
        #expect(try readBytes(path) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["index"])
    }

    @Test func honoursTheRequestedModeDespiteTheUmask() throws {
        let dir = TempDir()
        let path = dir.sub("public")
        try AtomicFile.write(path: path, contents: [], mode: 0o644)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        #expect(try readBytes(path).isEmpty)
    }

    @Test func missingDirectoryFails() {
        let dir = TempDir()
        let error = expectError(.notFound) { try AtomicFile.write(path: dir.sub("no/such/file"), contents: [1]) }
        #expect(error?.path?.hasPrefix(dir.sub("no/such/")) == true)
        expectError(.notFound) { try AtomicFile.fsyncDirectory(dir.sub("no")) }
        #expect(throws: Never.self) { try AtomicFile.fsyncDirectory(dir.path) }
    }
}
