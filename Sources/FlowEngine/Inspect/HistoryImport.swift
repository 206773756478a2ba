import FlowLua
import Foundation

/// `flow history ID --json` read back into journal entries, exactly as the WAL held them (see
/// `HistoryEntry` for the fields of each kind): what `flow replay` checks an edited script
/// against. The entries are checked to come in an order a writer makes; every problem names the
/// file, the entry (its position in the array, from 1) and the field.
public enum HistoryImport {
    public static func entries(json: Data, path: String) throws -> [JournalEntry] {
        let document: LuaValue
        do {
            document = try JSONDecoder().decode(LuaValue.self, from: json)
        } catch {
            throw HistoryImportError(path: path, problem: "not valid JSON (\(Self.describe(error)))")
        }
        let items: [LuaValue]
        switch document {
        case .array(let a): items = a
        case .table(let t) where t.isEmpty: items = []
        default:
            throw HistoryImportError(path: path, problem: "not an array of history entries (`flow history ID --json` writes one)")
        }
        guard !items.isEmpty else {
            throw HistoryImportError(path: path, problem: "holds no entries (`flow history ID --json` writes at least the start record)")
        }
        var state = JournalState()
        var out: [JournalEntry] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .table(let fields) = item else {
                throw HistoryImportError(path: path, entry: i + 1, problem: "not an object (got \(item.detailedTypeName == "table" ? "an array" : item.detailedTypeName))")
            }
            let kind = fields["kind"]?.stringValue
            do {
                let entry = try Self.entry(Fields(values: fields))
                try state.apply(entry)
                out.append(entry)
            } catch let p as Problem {
                throw HistoryImportError(path: path, entry: i + 1, kind: kind, problem: p.message)
            } catch let e as JournalOrderError {
                throw HistoryImportError(path: path, entry: i + 1, kind: kind, problem: "out of order: \(e.message)")
            }
        }
        return out
    }

    static func entry(_ f: Fields) throws -> JournalEntry {
        let kind = try f.string("kind")
        switch kind {
        case "started":
            let id = try f.string("execution_id")
            do { try FlowHome.validate(id: id) } catch { throw Problem("'execution_id': \(error)") }
            guard case .table(let params) = try f.value("args", required: true) else {
                throw Problem("'args' (the parameters) is not an object")
            }
            return .started(ExecutionStarted(
                id: id, workflow: try f.string("name"), scriptDigest: try f.string("script_sha256"), params: params,
                randomSeed: try f.int64("random_seed"), at: try f.time("time"), host: try f.string("host"),
                pid: try f.int32("pid"), settings: try f.stringMap("settings")))
        case "completed":
            return .completed(StepCompleted(
                seq: try f.int("seq"), attempt: try f.int("attempt"), value: try f.value("result"), at: try f.time("time"),
                consumed: try f.optionalString("consumed")))
        case "failed":
            return .failed(StepFailed(
                seq: try f.int("seq"), attempt: try f.int("attempt"), error: try f.error("error"), at: try f.time("time"),
                retryAt: try f.optionalTime("retry_at")))
        case "compensating":
            return .compensating(Compensating(
                reason: try f.enumeration("name", CompensationReason.self, known: "failed, cancelled, aborted"), error: try f.error("error"), atSeq: try f.int("seq"),
                nextSeq: try f.int("next_seq"), at: try f.time("time")))
        case "finished":
            return .finished(ExecutionFinished(
                status: try f.enumeration("name", FinalStatus.self, known: "succeeded, failed, cancelled, aborted"), value: try f.value("result"),
                error: f.has("error") ? try f.error("error") : nil, at: try f.time("time")))
        case "resumed":
            return .resumed(Resumed(
                at: try f.time("time"), host: try f.string("host"), pid: try f.int32("pid"), scriptChanged: try f.bool("script_changed")))
        case "operator":
            return .operatorAction(OperatorAction(
                action: try f.enumeration("name", OperatorAction.Action.self,
                                                 known: OperatorAction.Action.allCases.map(\.rawValue).joined(separator: ", ")), by: try f.string("by"),
                reason: try f.optionalString("reason"), at: try f.time("time"), seq: try f.int("seq"), force: try f.bool("force"),
                message: try f.string("inbox_file")))
        case "redriven":
            return .redriven(Redriven(at: try f.time("time"), by: try f.string("by"), reason: try f.optionalString("reason"),
                                      fromSeq: try f.int("seq")))
        case "checkpoint":
            return .stepCheckpoint(StepCheckpoint(
                seq: try f.int("seq"), attempt: try f.int("attempt"), value: try f.value("result"), at: try f.time("time")))
        default:
            guard kind.hasSuffix(".start") else {
                throw Problem("unknown kind '\(kind)' (expected started, KIND.start, completed, failed, compensating, finished, resumed, operator, redriven or checkpoint)")
            }
            let name = String(kind.dropLast(".start".count))
            guard let stepKind = StepKind(rawValue: name) else {
                let known = StepKind.allCases.map { "\($0.rawValue).start" }.joined(separator: ", ")
                throw Problem("unknown step kind '\(name)' (expected \(known))")
            }
            return .intent(StepIntent(
                seq: try f.int("seq"), attempt: try f.int("attempt"), kind: stepKind, name: try f.string("name"),
                digest: try f.digest("digest"), location: try f.string("location"), args: try f.value("args"),
                at: try f.time("time"), deadline: try f.optionalTime("deadline")))
        }
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let c) = error {
            return c.underlyingError.map { "\($0)" } ?? c.debugDescription
        }
        return "\(error)"
    }

    /// What is wrong with one field of one entry; the caller adds the file and the entry.
    struct Problem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// One exported entry's fields, read with errors that name the field.
    struct Fields {
        var values: [String: LuaValue]

        func has(_ key: String) -> Bool { !(values[key] ?? .nil).isNil }

        private func required(_ key: String) throws -> LuaValue {
            guard let v = values[key], !v.isNil else { throw Problem("missing '\(key)'") }
            return v
        }

        private func wrong(_ key: String, _ expected: String, _ got: LuaValue) -> Problem {
            Problem("'\(key)' is not \(expected) (got \(got.detailedTypeName == "table" ? "an object or array" : got.detailedTypeName))")
        }

        func value(_ key: String, required: Bool = false) throws -> LuaValue {
            required ? try self.required(key) : values[key] ?? .nil
        }

        func string(_ key: String) throws -> String {
            let v = try required(key)
            guard case .string(let s) = v else { throw wrong(key, "a string", v) }
            return s
        }

        func optionalString(_ key: String) throws -> String? {
            has(key) ? try string(key) : nil
        }

        func int64(_ key: String) throws -> Int64 {
            let v = try required(key)
            guard case .int(let i) = v else { throw wrong(key, "an integer", v) }
            return i
        }

        func int(_ key: String) throws -> Int {
            let i = try int64(key)
            guard let n = Int(exactly: i), n >= 0 else { throw Problem("'\(key)' is out of range: \(i)") }
            return n
        }

        func int32(_ key: String) throws -> Int32 {
            let i = try int64(key)
            guard let n = Int32(exactly: i) else { throw Problem("'\(key)' is out of range: \(i)") }
            return n
        }

        func bool(_ key: String) throws -> Bool {
            let v = try required(key)
            guard case .bool(let b) = v else { throw wrong(key, "true or false", v) }
            return b
        }

        func time(_ key: String) throws -> Millis {
            let text = try string(key)
            guard let t = ISOTime.parse(text) else {
                throw Problem("'\(key)' is not a time like 2026-11-26T16:32:49.123Z: '\(text)'")
            }
            return t
        }

        func optionalTime(_ key: String) throws -> Millis? {
            has(key) ? try time(key) : nil
        }

        func digest(_ key: String) throws -> UInt64 {
            let text = try string(key)
            guard text.utf8.count == 16, let d = UInt64(text, radix: 16) else {
                throw Problem("'\(key)' is not 16 hex digits: '\(text)'")
            }
            return d
        }

        func error(_ key: String) throws -> StepError {
            let v = try required(key)
            guard case .table(let t) = v else { throw wrong(key, "an object with name and message", v) }
            guard case .string(let name)? = t["name"], case .string(let message)? = t["message"] else {
                throw Problem("'\(key)' lacks a string 'name' or 'message'")
            }
            return StepError(name: name, message: message)
        }

        func stringMap(_ key: String) throws -> [String: String] {
            guard has(key) else { return [:] }
            let v = try required(key)
            guard case .table(let t) = v else { throw wrong(key, "an object of strings", v) }
            return try t.mapValues { item in
                guard case .string(let s) = item else { throw wrong(key, "an object of strings", item) }
                return s
            }
        }

        func enumeration<E: RawRepresentable>(_ key: String, _ type: E.Type, known: String) throws -> E
        where E.RawValue == String {
            let text = try string(key)
            guard let e = E(rawValue: text) else {
                throw Problem("'\(key)' is '\(text)', not one of \(known)")
            }
            return e
        }
    }
}

/// A history file that cannot be read back: where (the file, the entry, its kind) and what.
public struct HistoryImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The entry's position in the array, from 1; nil when the file as a whole is wrong.
    public var entry: Int?
    public var kind: String?
    public var problem: String

    public init(path: String, entry: Int? = nil, kind: String? = nil, problem: String) {
        self.path = path
        self.entry = entry
        self.kind = kind
        self.problem = problem
    }

    /// "history.json: entry 7 (completed): missing 'seq'"
    public var description: String {
        var place = path
        if let entry { place += ": entry \(entry)" + (kind.map { " (\($0))" } ?? "") }
        return "\(place): \(problem)"
    }
}

/// The journal's times as `WallClock.iso8601` writes them ("2026-11-26T16:32:49.123Z"), parsed.
enum ISOTime {
    static func parse(_ text: String) -> Millis? {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."), b[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var n: Int64 = 0
            for c in b[from..<from + count] {
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int64(c - UInt8(ascii: "0"))
            }
            return n
        }
        guard let y = number(0, 4), let m = number(5, 2), let d = number(8, 2), let h = number(11, 2),
              let mi = number(14, 2), let s = number(17, 2), let ms = number(20, 3),
              (1...12).contains(m), (1...31).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        let millis = ((days(year: y, month: m, day: d) * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms
        // A day that does not exist (February 30) would not come back the same.
        return WallClock.iso8601(millis) == text ? millis : nil
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
