import FlowLua
import FlowWAL

/// What fits in one journal record. A record the WAL refuses (over its maxRecordSize) stops the
/// run, and since a resume replays to the same point and tries the same record again, the
/// execution could never move on. So error texts are cut to what a person reads, names are
/// bounded, and a value too large for a record fails its step (or the workflow) with a message
/// that says so: the journal then records a failure it can hold.
enum JournalBounds {
    /// The largest value a record carries: FlowWAL's maxRecordSize less room for the rest.
    static let maxValueBytes = WALOptions().maxRecordSize - (64 << 10)
    /// Error messages past this are cut (with a note of how much).
    static let maxMessageBytes = 64 << 10
    /// Error names ("Throttling") and step or signal names.
    static let maxNameBytes = 1024

    /// An upper bound of `value`'s size in a record (ValueCodec's encoding), walking no further
    /// than just past `limit`.
    static func size(of value: LuaValue, upTo limit: Int = maxValueBytes) -> Int {
        var total = 0
        func walk(_ v: LuaValue) {
            guard total <= limit else { return }
            switch v {
            case .nil, .bool: total += 1
            case .int, .double: total += 11
            case .string(let s): total += 11 + s.utf8.count
            case .bytes(let b): total += 11 + b.count
            case .array(let items):
                total += 11
                for item in items where total <= limit { walk(item) }
            case .table(let fields):
                total += 11
                for (key, field) in fields where total <= limit {
                    total += 11 + key.utf8.count
                    walk(field)
                }
            }
        }
        walk(value)
        return total
    }

    /// Why `value` cannot be journaled, or nil when it fits. `what` starts the sentence
    /// ("flow.step 'fetch' returned").
    static func problem(with value: LuaValue, what: String) -> String? {
        let size = size(of: value)
        guard size > maxValueBytes else { return nil }
        return "\(what) more than \(maxValueBytes >> 10) KiB, more than one journal record holds: "
            + "keep large data outside flow (a file, an object store) and pass a reference to it"
    }

    /// `text` cut to at most `max` bytes of UTF-8 (on a character boundary), with a note of how
    /// much was cut that fits within `max` too: cutting it again changes nothing.
    static func text(_ text: String, max: Int) -> String {
        let count = text.utf8.count
        guard count > max else { return text }
        var end = text.utf8.index(text.utf8.startIndex, offsetBy: Swift.max(max - 48, 0))
        while end > text.startIndex, end.samePosition(in: text.unicodeScalars) == nil {
            end = text.utf8.index(before: end)
        }
        let kept = String(text.unicodeScalars[..<end])
        return kept + "... (\(count - kept.utf8.count) more bytes cut)"
    }

    /// Why a name (of a step or a signal) is refused, or nil.
    static func nameProblem(_ name: String) -> String? {
        name.utf8.count > maxNameBytes ? "a name is at most \(maxNameBytes) bytes, got \(name.utf8.count)" : nil
    }

    /// Errors in `entry` cut to size: a safety net under the places that make errors, so that
    /// no error can make a record the WAL refuses.
    static func fitted(_ entry: JournalEntry) -> JournalEntry {
        switch entry {
        case .failed(var f) where !f.error.isBounded:
            f.error = f.error.bounded
            return .failed(f)
        case .compensating(var c) where !c.error.isBounded:
            c.error = c.error.bounded
            return .compensating(c)
        case .finished(var f) where f.error.map({ !$0.isBounded }) ?? false:
            f.error = f.error?.bounded
            return .finished(f)
        default:
            return entry
        }
    }
}

extension StepError {
    /// This error with its name and message cut to what a record holds and a person reads.
    var bounded: StepError {
        isBounded ? self : StepError(name: JournalBounds.text(name, max: JournalBounds.maxNameBytes),
                                     message: JournalBounds.text(message, max: JournalBounds.maxMessageBytes))
    }

    var isBounded: Bool {
        name.utf8.count <= JournalBounds.maxNameBytes && message.utf8.count <= JournalBounds.maxMessageBytes
    }
}
