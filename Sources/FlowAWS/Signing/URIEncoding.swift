/// RFC 3986 percent-encoding as SigV4 defines it. Foundation's encoders are not used because each one
/// has its own idea of which characters are safe (and some turn spaces into `+`), while the signature only
/// matches if we encode exactly as AWS does: everything but `A-Z a-z 0-9 - . _ ~`, upper-case hex.
enum URIEncoding {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Encodes every byte of the UTF-8 form that is not unreserved, including `/`, `%` and `+`.
    static func encode(_ string: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes each segment of a path, keeping the `/` separators.
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { encode(String($0)) }
            .joined(separator: "/")
    }

    /// RFC 3986 dot-segment removal plus merging of repeated slashes, which is what AWS services do to
    /// the path before they check the signature (every service but S3).
    static func normalizePath(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var kept: [Substring] = []
        for segment in segments {
            switch segment {
            case "", ".":
                continue
            case "..":
                _ = kept.popLast()
            default:
                kept.append(segment)
            }
        }
        if kept.isEmpty { return "/" }
        // A path that ended on a directory (`/a/`, `/a/b/..`, `/a/.`) still names a directory.
        let endsInDirectory = segments.last.map { $0.isEmpty || $0 == "." || $0 == ".." } ?? false
        return "/" + kept.joined(separator: "/") + (endsInDirectory ? "/" : "")
    }
}
