import Crypto
import FlowLua

/// Digests that identify what a script asked for, so a replay can tell the same request from
/// a different one. FNV-1a (64 bit) over canonical bytes: replay computes one per step, so it
/// must cost nanoseconds; it guards against edits, not adversaries.
public enum StepDigest {
    public static func of(_ parts: [LuaValue]) -> UInt64 {
        var w = ByteWriter()
        for p in parts { ValueCodec.write(p, to: &w) }
        return fnv1a(w.bytes)
    }

    /// Over the name's UTF-8 in place: every replayed `flow.step` asks for one, and copying the
    /// bytes into an array first cost an allocation per step.
    public static func of(name: String) -> UInt64 {
        fnv1a(name.utf8)
    }

    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    public static func hex(_ d: UInt64) -> String {
        let s = String(d, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// SHA-256 of a workflow script, recorded at start and compared on resume.
public enum ScriptDigest {
    public static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
