import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Signs requests with AWS Signature Version 4, in the `Authorization` header.
///
/// It never prints its secret: `description` and `customMirror` show only the access key id, region
/// and service, so a signer interpolated into a log line or `dump`ed in a test cannot leak the key.
public struct SigV4Signer: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// How the path and payload are treated. The defaults suit every service but S3.
    public struct Options: Sendable, Hashable {
        /// Remove `.`/`..` segments and merge repeated slashes before signing, as the services do before
        /// they verify. S3 keys may legitimately contain those, so S3 turns this off.
        public var normalizesPath: Bool
        /// URI-encode the (already wire-encoded) path once more; S3 signs the wire path as is.
        public var encodesPathTwice: Bool
        /// Add a signed `x-amz-content-sha256` header holding the payload hash (S3 requires it).
        public var addsContentSHA256Header: Bool

        public init(normalizesPath: Bool = true, encodesPathTwice: Bool = true, addsContentSHA256Header: Bool = false) {
            self.normalizesPath = normalizesPath
            self.encodesPathTwice = encodesPathTwice
            self.addsContentSHA256Header = addsContentSHA256Header
        }

        public static let s3 = Options(normalizesPath: false, encodesPathTwice: false, addsContentSHA256Header: true)
    }

    static let algorithm = "AWS4-HMAC-SHA256"

    private let credentials: AWSCredentials
    public let region: String
    public let signingName: String
    public let options: Options

    public init(credentials: AWSCredentials, region: String, signingName: String, options: Options = Options()) {
        self.credentials = credentials
        self.region = region
        self.signingName = signingName
        self.options = options
    }

    /// The request with `Host` (if absent), `X-Amz-Date`, `X-Amz-Security-Token` (with temporary
    /// credentials), `x-amz-content-sha256` (if the options ask for it and it is absent) and `Authorization`.
    /// Signing an already signed request replaces those headers rather than signing the old ones.
    public func sign(_ request: AWSHTTPRequest, at date: Date) -> AWSHTTPRequest {
        let amzDate = AMZDate(date)
        var signed = request
        var replaced: Set<String> = ["authorization", "x-amz-date"]
        if credentials.sessionToken != nil { replaced.insert("x-amz-security-token") }
        signed.headers.removeAll { replaced.contains(CanonicalRequest.asciiLowercased($0.0)) }

        if !signed.headers.contains(where: { CanonicalRequest.asciiLowercased($0.0) == "host" }),
           let host = Self.hostHeader(forEndpoint: request.endpoint) {
            signed.headers.insert(("Host", host), at: 0)
        }
        signed.headers.append(("X-Amz-Date", amzDate.timestamp))
        if let token = credentials.sessionToken {
            signed.headers.append(("X-Amz-Security-Token", token))
        }
        // A hash the caller set (S3's UNSIGNED-PAYLOAD, the hash of a stream) is theirs to keep.
        if options.addsContentSHA256Header,
           !signed.headers.contains(where: { CanonicalRequest.asciiLowercased($0.0) == "x-amz-content-sha256" }) {
            signed.headers.append(("x-amz-content-sha256", CanonicalRequest.hexSHA256(request.body)))
        }

        let canonical = CanonicalRequest(signed, options: options)
        let toSign = stringToSign(canonicalRequest: canonical.text, at: date)
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(amzDate)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature(stringToSign: toSign, at: date))"
        signed.headers.append(("Authorization", authorization))
        return signed
    }

    /// The canonical request of `request` as given: call it on the output of `sign` to see what was signed.
    public func canonicalRequest(_ request: AWSHTTPRequest) -> String {
        CanonicalRequest(request, options: options).text
    }

    public func stringToSign(canonicalRequest: String, at date: Date) -> String {
        let amzDate = AMZDate(date)
        return [Self.algorithm, amzDate.timestamp, scope(amzDate), CanonicalRequest.hexSHA256(canonicalRequest.utf8)]
            .joined(separator: "\n")
    }

    /// Hex HMAC-SHA256 of the string to sign under the key derived for that day, region and service.
    public func signature(stringToSign: String, at date: Date) -> String {
        let key = signingKey(day: AMZDate(date).day)
        return CanonicalRequest.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    private func scope(_ date: AMZDate) -> String {
        "\(date.day)/\(region)/\(signingName)/aws4_request"
    }

    /// The key is scoped to one day, region and service, so a leaked signature or key reveals no more.
    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, signingName, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// `host[:port]` of an endpoint such as `https://sqs.eu-west-1.amazonaws.com` or `http://[::1]:4566`.
    /// The port stays only when it is not the scheme's default, because that is what an HTTP client
    /// sends in `Host`, and the service verifies against what it receives.
    static func hostHeader(forEndpoint endpoint: String) -> String? {
        guard let schemeEnd = endpoint.firstRange(of: "://") else { return nil }
        let scheme = CanonicalRequest.asciiLowercased(String(endpoint[..<schemeEnd.lowerBound]))
        var authority = endpoint[schemeEnd.upperBound...]
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            authority = authority[..<end]
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else { return nil }
        let portStart = authority.lastIndex(of: ":").flatMap { colon in
            authority[colon...].contains("]") ? nil : colon  // a colon inside an IPv6 literal is no port
        }
        guard let colon = portStart else { return String(authority) }
        let port = authority[authority.index(after: colon)...]
        let isDefault = port.isEmpty || (scheme == "https" && port == "443") || (scheme == "http" && port == "80")
        return isDefault ? String(authority[..<colon]) : String(authority)
    }

    public var description: String {
        "SigV4Signer(\(credentials.accessKeyID), region: \(region), service: \(signingName))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": credentials.accessKeyID, "region": region,
                                "signingName": signingName, "options": options])
    }
}
