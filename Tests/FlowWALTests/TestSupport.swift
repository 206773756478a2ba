import FlowWAL
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed when the value goes away.
final class TempDir {
    let path: String

    init() {
        var template = Array("/tmp/flowwal-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func sub(_ name: String) -> String { path + "/" + name }
}

let segmentHeaderSize = 16
let recordHeaderSize = 12

func segmentPath(_ directory: String, _ number: Int) -> String {
    directory + "/" + String(format: "%08d.wal", number)
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func fileSize(_ path: String) throws -> Int {
    try readBytes(path).count
}

func fileExists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: path)
}

/// A payload whose bytes depend on `index`, so a record read back at the wrong place is noticed.
func payload(_ index: Int, size: Int = 40) -> [UInt8] {
    (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &* 7 &+ 1) }
}

/// Creates a log in `directory` holding `count` records (type 1, payload(i)) and closes it.
@discardableResult
func makeLog(
    _ directory: String, count: Int, size: Int = 40, options: WALOptions = .init()
) throws -> [WALPosition] {
    let writer = try WALWriter.create(directory: directory, options: options)
    var positions: [WALPosition] = []
    for index in 0..<count {
        positions.append(try writer.append(type: 1, payload: payload(index, size: size)))
    }
    try writer.close()
    return positions
}

/// Writes a record at `offset` of `bytes` with a valid checksum, whatever its type or reserved bytes,
/// the way another program would.
func writeRecord(
    into bytes: inout [UInt8], at offset: Int, type: UInt8, reserved: [UInt8] = [0, 0, 0], payload: [UInt8]
) {
    var header: [UInt8] = []
    let length = UInt32(payload.count)
    header += (0..<4).map { UInt8(truncatingIfNeeded: length >> UInt32($0 * 8)) }
    header += [type] + reserved
    let crc = CRC32C.mask(CRC32C.checksum(header + payload))
    header += (0..<4).map { UInt8(truncatingIfNeeded: crc >> UInt32($0 * 8)) }
    let record = header + payload
    if bytes.count < offset + record.count { bytes += [UInt8](repeating: 0, count: offset + record.count - bytes.count) }
    bytes.replaceSubrange(offset..<(offset + record.count), with: record)
}

/// Runs `body`, expects a WALError with `code`, and returns it for more checks.
@discardableResult
func expectError(
    _ code: WALError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> WALError? {
    do {
        try body()
        Issue.record("expected WALError(\(code)), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as WALError {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected WALError(\(code)), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func openLog(_ directory: String, options: WALOptions = .init()) throws
    -> (writer: WALWriter, records: [WALRecord], repair: WALRepair?)
{
    try WALWriter.open(directory: directory, options: options)
}

func removeFile(_ path: String) throws {
    try FileManager.default.removeItem(atPath: path)
}
