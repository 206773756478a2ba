// libFuzzer target for the FlowWAL record reader, compiled together with Sources/FlowWAL/*.swift
// (one module, so the internal framing helpers are at hand) by `scripts/wal-damage --fuzz`.
//
// Each input becomes a log directory: the raw bytes as segment 1, or records framed with valid
// checksums from the input and then damaged as the input says, or two segments. Then:
// WALReader.read twice (the same answer), WALWriter.open (the same answer as the reader; a
// refusal changes no file), and after a repair an append and a clean re-read. In the framed modes
// the records read must be the first records written, never one skipped or altered. Any other
// outcome is a crash, which libFuzzer keeps as an input to replay.
#if canImport(Glibc)
import Glibc
#endif

let fuzzRoot: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let path = "\(base)/flow-walfuzz-\(getpid())"
    mkdir(path, 0o700)
    return path
}()

func fail(_ message: String) -> Never {
    fputs("WAL FUZZ INVARIANT BROKEN: \(message)\n", stderr)
    abort()
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fail("cannot write \(path)") }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

func readFile(_ path: String) -> [UInt8]? {
    try? Sys.readFile(path)
}

func clear(_ dir: String) {
    if let names = try? Sys.listDirectory(dir) {
        for n in names { unlink(dir + "/" + n) }
    }
}

/// Framed records from the input: [type][length][payload...] until the input runs out.
func frame(_ input: ArraySlice<UInt8>, into out: inout [UInt8], records: inout [(UInt8, [UInt8])]) {
    var i = input.startIndex
    while i + 1 < input.endIndex && records.count < 64 {
        let type = UInt8(1 + Int(input[i]) % 127)
        let length = min(Int(input[i + 1]), input.endIndex - i - 2)
        let payload = Array(input[(i + 2)..<(i + 2 + length)])
        var header = [UInt8](repeating: 0, count: WALFormat.recordHeaderSize)
        header.withUnsafeMutableBytes { h in
            payload.withUnsafeBytes { p in WALFormat.encodeRecordHeader(into: h, type: type, payload: p) }
        }
        out += header + payload
        records.append((type, payload))
        i += 2 + length
    }
}

/// Damage from 6 input bytes: truncate, flip, zero or fill a range, or append zeros.
func damage(_ bytes: inout [UInt8], _ op: ArraySlice<UInt8>) {
    guard op.count >= 6, !bytes.isEmpty else { return }
    let o = Array(op)
    let at = (Int(o[1]) << 8 | Int(o[2])) % bytes.count
    let len = 1 + (Int(o[3]) << 8 | Int(o[4])) % 4096
    switch o[0] % 5 {
    case 0: bytes.removeSubrange(at...)
    case 1: bytes[at] ^= (o[5] == 0 ? 1 : o[5])
    case 2: for k in at..<min(bytes.count, at + len) { bytes[k] = 0 }
    case 3: for k in at..<min(bytes.count, at + len) { bytes[k] = o[5] &+ UInt8(truncatingIfNeeded: k) }
    default: bytes += [UInt8](repeating: 0, count: len)
    }
}

struct Outcome: Equatable {
    var records: [[UInt8]] = []
    var types: [UInt8] = []
    var tail: String?
    var error: String?
}

func readOutcome(_ dir: String) -> Outcome {
    do {
        let r = try WALReader.read(directory: dir)
        return Outcome(records: r.records.map(\.payload), types: r.records.map(\.type),
                       tail: r.tornTail.map { "\($0.file)@\($0.offset)" })
    } catch let e as WALError {
        return Outcome(error: "\(e.code) \(e.path ?? "-")@\(e.offset.map { String($0) } ?? "-")")
    } catch {
        fail("a non-WALError: \(error)")
    }
}

func snapshot(_ dir: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    for n in (try? Sys.listDirectory(dir)) ?? [] { out[n] = readFile(dir + "/" + n) }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = input.first else { return 0 }
    let dir = fuzzRoot + "/log"
    mkdir(dir, 0o700)
    clear(dir)
    var originals: [(UInt8, [UInt8])]? = nil
    let seg1 = dir + "/" + WALFormat.segmentName(1)
    switch mode % 4 {
    case 0:
        writeFile(seg1, Array(input.dropFirst()))
    case 1, 2:
        var bytes = WALFormat.segmentHeader(1)
        var records: [(UInt8, [UInt8])] = []
        let body = input.dropFirst().dropLast(min(6, max(input.count - 1, 0)))
        frame(body, into: &bytes, records: &records)
        if mode % 4 == 1 { damage(&bytes, input.suffix(6)) }
        writeFile(seg1, bytes)
        originals = records
    default:
        // Two segments: the first whole (framed), the second framed and damaged.
        let cut = input.count > 2 ? 1 + Int(input[1]) % (input.count - 1) : input.count
        var first = WALFormat.segmentHeader(1), second = WALFormat.segmentHeader(2)
        var records: [(UInt8, [UInt8])] = []
        frame(input[min(2, input.count)..<max(min(2, input.count), cut)], into: &first, records: &records)
        frame(input[cut...].dropLast(min(6, input.count - cut)), into: &second, records: &records)
        damage(&second, input.suffix(6))
        writeFile(seg1, first)
        writeFile(dir + "/" + WALFormat.segmentName(2), second)
        originals = records
    }
    let files = snapshot(dir)
    let first = readOutcome(dir)
    if readOutcome(dir) != first { fail("two reads differ") }
    if snapshot(dir) != files { fail("the reader changed a file") }
    if let originals, first.error == nil {
        if first.records.count > originals.count { fail("more records than written") }
        for (k, r) in first.records.enumerated() where originals[k].1 != r || originals[k].0 != first.types[k] {
            fail("record \(k) is not the record written there: skipped or altered")
        }
    }
    do {
        let (writer, records, repair) = try WALWriter.open(directory: dir)
        if first.error != nil { fail("the writer opened a log the reader refused (\(first.error!))") }
        if records.map(\.payload) != first.records { fail("the writer read other records than the reader") }
        if repair.map({ "\($0.file)@\($0.offset)" }) != first.tail { fail("repair and torn tail differ") }
        do {
            try writer.append(type: 7, payload: [1, 2, 3])
            try writer.close()
        } catch {
            fail("append after open: \(error)")
        }
        let after = readOutcome(dir)
        if after.error != nil || after.tail != nil || after.records != first.records + [[1, 2, 3]] {
            fail("after open and append: \(after)")
        }
    } catch let e as WALError {
        let again = "\(e.code) \(e.path ?? "-")@\(e.offset.map { String($0) } ?? "-")"
        if again != first.error { fail("the writer refused (\(again)) where the reader said \(first)") }
        if e.code != .corrupt && e.code != .recordTooLarge { fail("unexpected error code: \(e.message)") }
        if let p = e.path, !e.message.contains(p) { fail("the message does not name the file: \(e.message)") }
        if snapshot(dir) != files { fail("a refused open changed a file") }
    } catch {
        fail("a non-WALError from open: \(error)")
    }
    return 0
}
