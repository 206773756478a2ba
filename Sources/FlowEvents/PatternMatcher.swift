/// Matching a compiled pattern against an event.
///
/// For each alternative, its fields are taken in name order; each needs a value in the event that
/// its matcher accepts (or, for `exists: false`, no value at all) such that every value used comes
/// from the same element of any array they share ("array consistency": `{"a": {"x": [1], "y": [2]}}`
/// does not match `{"a": [{"x": 1}, {"x": 0, "y": 2}]}`). A search over candidate values does this;
/// without arrays in the event there is one candidate per field and no search.
enum PatternMatcher {
    static func matches(_ pattern: CompiledPattern, _ root: [String: JSONValue]) -> Bool {
        // The per-match bookkeeping lives on the stack: allocating arrays here cost more than matching.
        let slots = 2 * pattern.paths.count + pattern.prefixCount + 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: slots) { scratch in
            scratch.initialize(repeating: -1)
            var values = ValueCache(root: root, paths: pattern.paths, scratch: scratch)
            for rule in pattern.rules where search(rule.fields, 0, Membership(), &values) { return true }
            return false
        }
    }

    // Indices rather than copies throughout: copying a field test or a leaf costs reference
    // counting, which dominated the profile.
    private static func search(_ fields: [FieldTest], _ k: Int, _ membership: Membership,
                               _ values: inout ValueCache) -> Bool {
        if k == fields.count { return true }
        let matcher = fields[k].matcher
        let range = values.leaves(fields[k].path)
        for i in range where matcher.matches(values.all[i].value) {
            if values.all[i].membership.isEmpty {
                if search(fields, k + 1, membership, &values) { return true }
            } else if let merged = membership.merged(with: values.all[i].membership),
                      search(fields, k + 1, merged, &values) {
                return true
            }
        }
        // `exists: false`: no value of this field in the array elements chosen so far (AWS's rule:
        // a value from another element of an array already used does not count).
        if matcher.allowsAbsence,
           !range.contains(where: { membership.isConsistent(with: values.all[$0].membership) }),
           search(fields, k + 1, membership, &values) {
            return true
        }
        return false
    }
}

/// Which element of which array a value came from: (array id, index) pairs. An array's id is the
/// id of the path prefix where it sits plus its nesting level there, so two paths under the same
/// array see the same id.
struct Membership {
    private var steps: [UInt64] = []  // array id << 32 | index

    var isEmpty: Bool { steps.isEmpty }

    func appending(array: UInt32, index: Int) -> Membership {
        var m = self
        m.steps.append(UInt64(array) << 32 | UInt64(UInt32(truncatingIfNeeded: index)))
        return m
    }

    /// False when the two use different elements of the same array.
    func isConsistent(with other: Membership) -> Bool {
        for s in other.steps {
            for t in steps where t >> 32 == s >> 32 && t != s { return false }
        }
        return true
    }

    /// The union of both, or nil when they are inconsistent.
    func merged(with other: Membership) -> Membership? {
        var m = self
        for s in other.steps {
            if let t = steps.first(where: { $0 >> 32 == s >> 32 }) {
                if t != s { return nil }
            } else {
                m.steps.append(s)
            }
        }
        return m
    }
}

/// A value found at a path, with the array elements it came from.
struct Leaf {
    var value: JSONValue
    var membership: Membership
}

/// The values at each path, found on first use within one match: all in one buffer, each path's
/// values a contiguous range of it.
struct ValueCache {
    let root: [String: JSONValue]
    let paths: [FieldPath]
    private(set) var all: [Leaf] = []
    /// Per path, the start and end of its range in `all` (-1: not looked up yet); then, per path
    /// prefix and for the root last, whether that object has keys with dots (-1 unknown, 0 no,
    /// 1 yes), so paths sharing a prefix scan its keys once.
    private let scratch: UnsafeMutableBufferPointer<Int>

    init(root: [String: JSONValue], paths: [FieldPath], scratch: UnsafeMutableBufferPointer<Int>) {
        self.root = root
        self.paths = paths
        self.scratch = scratch
    }

    mutating func leaves(_ path: Int) -> Range<Int> {
        if scratch[2 * path] >= 0 { return scratch[2 * path]..<scratch[2 * path + 1] }
        if all.isEmpty { all.reserveCapacity(2 * paths.count) }  // one allocation in the common case
        let start = all.count
        let dotted = UnsafeMutableBufferPointer(rebasing: scratch[(2 * paths.count)...])
        EventWalk(path: paths[path], dotted: dotted).collect(root, depth: 0, Membership(), direct: true, into: &all)
        scratch[2 * path] = start
        scratch[2 * path + 1] = all.count
        return start..<all.count
    }
}
