/// Finds the leaf values (strings, numbers, booleans, null) at a flattened path. Arrays are
/// crossed anywhere (any element may match); objects and empty arrays are not values, so such a
/// field counts as absent, as in EventBridge.
struct EventWalk {
    let path: FieldPath
    let dotted: UnsafeMutableBufferPointer<Int>

    /// `direct`: reached through plain keys and no array, so the object is the only one at its
    /// prefix and its dotted-key scan can be remembered.
    func collect(_ object: [String: JSONValue], depth: Int, _ membership: Membership, direct: Bool,
                 into out: inout [Leaf]) {
        if let child = object[path.segments[depth]] {
            descend(child, depth: depth + 1, membership, direct: direct, level: 0, into: &out)
        }
        // Only keys with dots can name several segments ({"a.b": 1} is the field a.b), and only
        // when two or more segments remain.
        guard path.segments.count - depth >= 2,
              hasDottedKey(object, depth: depth, direct: direct) else { return }
        for (key, child) in object where hasDot(key) {
            if let consumed = matchDotted(key, from: depth) {
                descend(child, depth: depth + consumed, membership, direct: false, level: 0, into: &out)
            }
        }
    }

    private func descend(_ value: JSONValue, depth: Int, _ membership: Membership, direct: Bool,
                         level: Int, into out: inout [Leaf]) {
        switch value {
        case .object(let fields):
            if depth < path.segments.count {
                collect(fields, depth: depth, membership, direct: direct, into: &out)
            }
        case .array(let items):
            // Arrays inside arrays sit at the same path: the level tells them apart.
            let id = path.prefixIDs[depth - 1] << 8 | UInt32(min(level, 255))
            for (index, item) in items.enumerated() {
                descend(item, depth: depth, membership.appending(array: id, index: index), direct: false,
                        level: level + 1, into: &out)
            }
        default:
            if depth == path.segments.count { out.append(Leaf(value: value, membership: membership)) }
        }
    }

    private func hasDottedKey(_ object: [String: JSONValue], depth: Int, direct: Bool) -> Bool {
        let slot = depth == 0 ? dotted.count - 1 : Int(path.prefixIDs[depth - 1])
        if direct, dotted[slot] >= 0 { return dotted[slot] == 1 }
        let found = object.keys.contains(where: hasDot)
        if direct { dotted[slot] = found ? 1 : 0 }
        return found
    }

    private func hasDot(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { $0.contains(UInt8(ascii: ".")) }
    }

    /// How many segments a dotted key covers when it matches the path at `depth`, else nil.
    private func matchDotted(_ key: String, from depth: Int) -> Int? {
        var k = depth
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            guard k < path.segments.count, bytesEqual(path.segments[k], String(part)) else { return nil }
            k += 1
        }
        return k - depth
    }
}
