import Crypto

/// The canonical form of a request that SigV4 hashes and signs (AWS docs: "Create a canonical request
/// for Signature Version 4"). Built from the request exactly as it will be sent, so it must see the
/// `Host`, `X-Amz-Date` and token headers the signer adds.
struct CanonicalRequest: Sendable {
    let method: String
    let uri: String
    let query: String
    /// `name:value\n` for each signed header, sorted by name.
    let headers: String
    /// Lower-cased names joined with `;`: the `SignedHeaders` of the Authorization header.
    let signedHeaders: String
    let payloadHash: String

    /// Headers that are never signed: `authorization` is the signature's own output, and the others are
    /// added, changed or dropped by HTTP clients and proxies on the way, which would break the signature.
    static let unsignedHeaderNames: Set<String> = [
        "authorization", "user-agent", "x-amzn-trace-id", "connection", "expect", "transfer-encoding", "upgrade",
    ]

    init(_ request: AWSHTTPRequest, options: SigV4Signer.Options) {
        method = request.method
        uri = Self.canonicalURI(request.path, options: options)
        query = Self.canonicalQuery(request.query)
        let grouped = Self.groupedHeaders(request.headers)
        headers = grouped.map { "\($0.name):\($0.value)\n" }.joined()
        signedHeaders = grouped.map(\.name).joined(separator: ";")
        // A caller that set the payload hash header itself (S3's UNSIGNED-PAYLOAD, a precomputed hash of a
        // stream) means that value to be signed, so it wins over hashing the body here.
        if let given = grouped.first(where: { $0.name == "x-amz-content-sha256" }) {
            payloadHash = given.value
        } else {
            payloadHash = Self.hexSHA256(request.body)
        }
    }

    var text: String {
        [method, uri, query, headers, signedHeaders, payloadHash].joined(separator: "\n")
    }

    static func hexSHA256(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `request.path` is already encoded for the wire; services other than S3 verify a signature over that
    /// path encoded once more, hence "encode twice". S3 signs the wire path as it is.
    static func canonicalURI(_ path: String, options: SigV4Signer.Options) -> String {
        var path = path.isEmpty ? "/" : path
        if options.normalizesPath { path = URIEncoding.normalizePath(path) }
        return options.encodesPathTwice ? URIEncoding.encodePath(path) : path
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        query
            .map { (Array(URIEncoding.encode($0.0).utf8), Array(URIEncoding.encode($0.1).utf8)) }
            // Byte order of the encoded forms, as AWS sorts: not String order, which is Unicode-aware.
            .sorted { $0.0 == $1.0 ? $0.1.lexicographicallyPrecedes($1.1) : $0.0.lexicographicallyPrecedes($1.0) }
            .map { String(decoding: $0.0, as: UTF8.self) + "=" + String(decoding: $0.1, as: UTF8.self) }
            .joined(separator: "&")
    }

    /// Lower-cased names, sorted, with the values of repeated headers joined by `,` in the order sent.
    static func groupedHeaders(_ headers: [(String, String)]) -> [(name: String, value: String)] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (rawName, rawValue) in headers {
            let name = asciiLowercased(trimmed(rawName))
            if name.isEmpty || unsignedHeaderNames.contains(name) { continue }
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(collapsingWhitespace(rawValue))
        }
        return order
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { (name: $0, value: values[$0, default: []].joined(separator: ",")) }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    /// Trims the value and turns every run of whitespace into one space. Line breaks count as whitespace
    /// so that a folded (multi-line) value signs as its lines joined by single spaces.
    static func collapsingWhitespace(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for byte in value.utf8 {
            if isWhitespace(byte) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func trimmed(_ value: String) -> String {
        let bytes = Array(value.utf8)
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
              let last = bytes.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// ASCII only: HTTP header names are ASCII, and `lowercased()` would apply Unicode rules.
    static func asciiLowercased(_ value: String) -> String {
        String(decoding: value.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
