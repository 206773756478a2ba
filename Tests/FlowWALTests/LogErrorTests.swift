import FlowWAL
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Errors that are not about damage: missing logs, misuse, and failing system calls.
struct LogErrorTests {
    @Test func missingDirectoryIsNotFound() {
        let dir = TempDir()
        let missing = dir.sub("nope")
        for error in [expectError(.notFound) { _ = try WALReader.read(directory: missing) },
                      expectError(.notFound) { _ = try openLog(missing) }] {
            #expect(error?.path == missing)
            #expect(error?.message.contains(missing) == true)
        }
    }

    @Test func directoryWithoutSegmentsIsNotFound() throws {
        let dir = TempDir()
        try writeBytes(dir.sub("lock"), [])
        let error = expectError(.notFound) { _ = try openLog(dir.path) }
        #expect(error?.message.contains(dir.path) == true)
        expectError(.notFound) { _ = try WALReader.read(directory: dir.path) }
    }

    @Test func createMakesTheDirectoryWithMode0700() throws {
        let dir = TempDir()
        let log = dir.sub("a/b/log")
        let writer = try WALWriter.create(directory: log)
        try writer.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: log)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        let segment = try FileManager.default.attributesOfItem(atPath: segmentPath(log, 1))
        #expect((segment[.posixPermissions] as? Int) == 0o600)
        #expect(try readBytes(segmentPath(log, 1)).count == segmentHeaderSize)
    }

    @Test func createWhenALogExistsIsAlreadyExists() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 2)
        let error = expectError(.alreadyExists) { _ = try WALWriter.create(directory: dir.path) }
        #expect(error?.path == dir.path)
        #expect(try WALReader.read(directory: dir.path).records.count == 2)
    }

    @Test func recordTooLargeWritesNothing() throws {
        let dir = TempDir()
        var options = WALOptions()
        options.maxRecordSize = 100
        let writer = try WALWriter.create(directory: dir.path, options: options)
        try writer.append(type: 1, payload: payload(0, size: 100))
        let size = try fileSize(segmentPath(dir.path, 1))
        expectError(.recordTooLarge) { try writer.append(type: 1, payload: payload(1, size: 101)) }
        #expect(try fileSize(segmentPath(dir.path, 1)) == size)
        try writer.append(type: 1, payload: payload(2, size: 1))
        try writer.close()
        #expect(try WALReader.read(directory: dir.path).records.count == 2)
    }

    @Test func invalidTypeWritesNothing() throws {
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path)
        for type: UInt8 in [0, 128, 255] {
            expectError(.invalidType) { try writer.append(type: type, payload: [1]) }
        }
        try writer.append(type: 127, payload: [1])
        try writer.close()
        #expect(try WALReader.read(directory: dir.path).records.map(\.type) == [127])
    }

    @Test func fileWhereADirectoryIsExpectedIsAnIOError() throws {
        // Runs as root, so permission bits would not stop it: use a regular file in the path instead.
        let dir = TempDir()
        let file = dir.sub("file")
        try writeBytes(file, [1])
        let create = expectError(.io) { _ = try WALWriter.create(directory: file + "/log") }
        #expect(create?.errno == ENOTDIR)
        #expect(create?.path != nil)
        let open = expectError(.io) { _ = try openLog(file) }
        #expect(open?.errno == ENOTDIR)
        #expect(open?.path == file)
        expectError(.io) { _ = try WALReader.read(directory: file) }
    }

    @Test func segmentThatIsADirectoryIsAnIOError() throws {
        let dir = TempDir()
        try makeLog(dir.path, count: 1)
        try FileManager.default.createDirectory(atPath: segmentPath(dir.path, 2), withIntermediateDirectories: false)
        let error = expectError(.io) { _ = try WALReader.read(directory: dir.path) }
        #expect(error?.path == segmentPath(dir.path, 2))
        #expect(error?.errno == EISDIR)
    }

    @Test func closeIsIdempotentAndAppendAfterCloseFails() throws {
        let dir = TempDir()
        let writer = try WALWriter.create(directory: dir.path)
        try writer.append(type: 1, payload: [1])
        try writer.close()
        try writer.close()
        let error = expectError(.io) { try writer.append(type: 1, payload: [2]) }
        #expect(error?.message.contains("closed") == true)
        #expect(try WALReader.read(directory: dir.path).records.count == 1)
    }

    @Test func messagesReadWell() {
        let error = WALError(code: .corrupt, message: "it broke", path: "/x", offset: 3)
        #expect(error.description == "it broke")
        #expect(error == WALError(code: .corrupt, message: "it broke", path: "/x", offset: 3))
    }
}
