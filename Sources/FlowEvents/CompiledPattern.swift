/// A pattern after validation: what the matcher runs.
///
/// EventBridge (aws/event-ruler) flattens a pattern into field paths joined with "." and expands
/// `$or` into alternatives ("sub-rules"), each a map from path to the values allowed there. An
/// event matches when any alternative does. flow keeps that model because two of EventBridge's
/// behaviours depend on it: a dotted key is the same field as the nested one
/// (`{"a.b": ...}` ≡ `{"a": {"b": ...}}`, in patterns and in events), and `exists: false` inside
/// arrays of objects is judged against the array elements chosen by the fields sorted before it.
struct CompiledPattern: Sendable {
    /// Every flattened path the pattern names, each once.
    var paths: [FieldPath]
    /// The alternatives; each one's fields sorted by path name as AWS orders them.
    var rules: [SubRule]
    /// How many distinct path prefixes `FieldPath.prefixIDs` numbers.
    var prefixCount: Int
}

/// One flattened path (`detail.containers.name`), split into segments for walking an event.
/// A class: the matcher passes it around, and one reference is cheaper to count than three.
final class FieldPath: Sendable {
    let name: String
    let segments: [String]
    /// `prefixIDs[d]`: an id for the path's first d+1 segments, shared by every path with that
    /// prefix; identifies an array in the event for array consistency.
    let prefixIDs: [UInt32]

    init(name: String, segments: [String], prefixIDs: [UInt32]) {
        self.name = name
        self.segments = segments
        self.prefixIDs = prefixIDs
    }
}

struct SubRule: Sendable {
    var fields: [FieldTest]
}

struct FieldTest: Sendable {
    var path: Int
    /// Shared, immutable: one reference to count instead of one per stored collection.
    var matcher: CompiledField
}

final class CompiledField: Sendable {
    let values: FieldMatcher
    var allowsAbsence: Bool { values.allowsAbsence }

    init(_ values: FieldMatcher) { self.values = values }

    func matches(_ value: JSONValue) -> Bool { values.matches(value) }
}

/// The values one field may take (OR): exact values grouped for fast lookup, then the operators.
struct FieldMatcher: Sendable {
    var strings = ExactStrings()
    var numbers: [JSONNumber] = []
    var trueAllowed = false
    var falseAllowed = false
    var nullAllowed = false
    var conditions: [Condition] = []
    /// `{"exists": true}`: any value at all.
    var anyValue = false
    /// `{"exists": false}`: the field may be absent.
    var allowsAbsence = false

    func matches(_ value: JSONValue) -> Bool {
        if anyValue { return true }
        switch value {
        case .string(let s): if strings.contains(s) { return true }
        case .number(let n): if numbers.contains(n) { return true }
        case .bool(let b): if b ? trueAllowed : falseAllowed { return true }
        case .null: if nullAllowed { return true }
        case .array, .object: return false  // never leaves; the matcher does not pass them
        }
        for c in conditions where c.matches(value) { return true }
        return false
    }
}

/// Exact strings, compared byte for byte: EventBridge does no Unicode normalisation, while
/// Swift's `==` treats canonically equivalent strings ("é" and "e\u{301}") as equal. A few are
/// compared directly; many go through a hash table.
struct ExactStrings: Sendable {
    private var list: [String] = []
    private var table: [String: [String]] = [:]

    var isEmpty: Bool { list.isEmpty }

    mutating func insert(_ s: String) {
        if list.contains(where: { bytesEqual($0, s) }) { return }
        list.append(s)
        table[s, default: []].append(s)
    }

    func contains(_ s: String) -> Bool {
        if list.count <= 4 { return list.contains { bytesEqual($0, s) } }
        guard let variants = table[s] else { return false }
        return variants.contains { bytesEqual($0, s) }
    }
}

/// Byte equality of two strings (their UTF-8), without Unicode normalisation.
func bytesEqual(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    var a = a
    var b = b
    return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
}
