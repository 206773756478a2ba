/// The id of the execution a key starts: derived from the trigger's name and the key alone, so a
/// watcher that died between recording `start` and creating the execution creates it again under
/// the same id on restart, and the home refuses a second creation of an id that exists. Nothing
/// random is involved anywhere between an event and its execution.
///
///     FargateCluster-canary-green-canary-app-7-1f3a9c02b4e8
///     \______ readable part of the key ______/ \_ hash __/
///
/// The readable part is the tail of each value (after the last "/", without a "service:"
/// prefix), with every character but letters, digits, "_" and "-" turned into "-", at most 80
/// characters. The hash (12 hex digits of 64-bit FNV-1a, finalised, over the trigger name and the key) keeps
/// ids apart when the readable parts agree, and two triggers of one home apart.
/// The whole id is at most 93 characters: within FlowHome's 100.
public enum ExecutionIDs {
    static let readableLimit = 80

    public static func derive(trigger: String, key: String) -> String {
        let readable = readablePart(of: key)
        let hash = hex(fnv1a64(Array(trigger.utf8) + [0] + Array(key.utf8)))
        return readable.isEmpty ? "key-" + hash : readable + "-" + hash
    }

    static func readablePart(of key: String) -> String {
        let tails = KeyExpression.split(key).map { value -> Substring in
            var tail = value.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(value)
            if tail.hasPrefix("service:") { tail = tail.dropFirst("service:".count) }
            return tail
        }
        var out = ""
        for scalar in tails.joined(separator: "-").unicodeScalars {
            let ok = scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
            let c: Character = ok ? Character(scalar) : "-"
            // One "-" for a run of replaced characters: "cluster/x:7" reads "x-7", not "x--7".
            if c == "-" && (out.isEmpty || out.last == "-") { continue }
            out.append(c)
            if out.count == readableLimit { break }
        }
        while out.last == "-" { out.removeLast() }
        return out
    }

    /// FNV-1a, then MurmurHash3's finaliser: FNV alone changes few bits when only the last
    /// byte differs ("app:7" vs "app:8"), and ids that differ in one hex digit read alike.
    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// The first 12 hex digits (48 bits): short, and collisions among one trigger's keys are
    /// out of reach for any real number of revisions.
    static func hex(_ h: UInt64) -> String {
        let s = String(h, radix: 16)
        return String((String(repeating: "0", count: 16 - s.count) + s).prefix(12))
    }
}
