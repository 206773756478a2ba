import Foundation
import Testing
@testable import FlowAWS

@Suite("SigV4 signer")
struct SigV4SignerTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "FQoGZXIvYXdzEXAMPLETOKEN"
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func signer(token: String? = nil, options: SigV4Signer.Options = .init()) -> SigV4Signer {
        SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret,
                                                sessionToken: token, source: "test"),
                    region: "us-east-1", signingName: "sqs", options: options)
    }

    static func values(_ request: AWSHTTPRequest, _ name: String) -> [String] {
        request.headers.filter { $0.0.lowercased() == name }.map(\.1)
    }

    static let post = AWSHTTPRequest(
        method: "POST", endpoint: "https://sqs.us-east-1.amazonaws.com", path: "/",
        headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.ListQueues")],
        body: Array("{}".utf8))

    @Test func sessionTokenIsAddedAndSigned() {
        let signer = Self.signer(token: Self.token)
        let signed = signer.sign(Self.post, at: Self.date)
        #expect(Self.values(signed, "x-amz-security-token") == [Self.token])
        let authorization = Self.values(signed, "authorization").first ?? ""
        #expect(authorization.contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"))
        #expect(signer.canonicalRequest(signed).contains("\nx-amz-security-token:\(Self.token)\n"))
    }

    @Test func noTokenHeaderWithoutSessionToken() {
        let signed = Self.signer().sign(Self.post, at: Self.date)
        #expect(Self.values(signed, "x-amz-security-token").isEmpty)
    }

    @Test func secretNeverAppears() {
        let signer = Self.signer(token: Self.token)
        let signed = signer.sign(Self.post, at: Self.date)
        let canonical = signer.canonicalRequest(signed)
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, at: Self.date)
        var dumps: [String] = []
        for value in [signer as Any, signed, signer.options] {
            var out = ""
            dump(value, to: &out)
            dumps += [out, String(describing: value), String(reflecting: value)]
        }
        let texts = dumps + signed.headers.flatMap { [$0.0, $0.1] } + [
            signed.path, signed.endpoint, String(decoding: signed.body, as: UTF8.self), canonical, stringToSign,
            signer.signature(stringToSign: stringToSign, at: Self.date),
        ]
        for text in texts {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains("K7MDENG"))
        }
        #expect(String(describing: signer).contains("AKIDEXAMPLE"))
    }

    @Test(arguments: [
        ("http://127.0.0.1:5000", "127.0.0.1:5000"),
        ("https://example.amazonaws.com:8443", "example.amazonaws.com:8443"),
        ("https://example.amazonaws.com:443", "example.amazonaws.com"),
        ("http://localhost:80", "localhost"),
        ("http://localhost:443", "localhost:443"),
        ("https://sqs.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"),
        ("http://[::1]:4566", "[::1]:4566"),
        ("https://[::1]", "[::1]"),
    ])
    func hostFromEndpoint(endpoint: String, host: String) {
        let signer = Self.signer()
        let signed = signer.sign(AWSHTTPRequest(method: "GET", endpoint: endpoint), at: Self.date)
        #expect(Self.values(signed, "host") == [host])
        #expect(signer.canonicalRequest(signed).contains("\nhost:\(host)\n"))
    }

    @Test func givenHostIsKept() {
        let request = AWSHTTPRequest(method: "GET", endpoint: "http://127.0.0.1:5000",
                                     headers: [("host", "sqs.us-east-1.amazonaws.com")])
        let signed = Self.signer().sign(request, at: Self.date)
        #expect(Self.values(signed, "host") == ["sqs.us-east-1.amazonaws.com"])
    }

    @Test func repeatedQueryKeysSortedByValue() {
        let request = AWSHTTPRequest(method: "GET", endpoint: "https://e.example", query: [
            ("b", "2"), ("a", "z"), ("a", "y"), ("a", ""), ("A", "1"), ("c d", "e+f/g~h"),
        ])
        let lines = Self.signer().canonicalRequest(request).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[2] == "A=1&a=&a=y&a=z&b=2&c%20d=e%2Bf%2Fg~h")
    }

    @Test func payloadHashIsSHA256OfBody() {
        let signer = Self.signer()
        let empty = signer.canonicalRequest(AWSHTTPRequest(method: "GET", endpoint: "https://e.example"))
        #expect(empty.hasSuffix("\n" + Self.emptyHash))
        let form = AWSHTTPRequest(method: "POST", endpoint: "https://e.example", body: Array("Param1=value1".utf8))
        #expect(signer.canonicalRequest(form)
            .hasSuffix("\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"))
    }

    @Test func resigningReplacesSigningHeaders() {
        let signer = Self.signer(token: Self.token)
        let once = signer.sign(Self.post, at: Self.date)
        let twice = signer.sign(once, at: Self.date.addingTimeInterval(60))
        for name in ["authorization", "x-amz-date", "x-amz-security-token", "host"] {
            #expect(Self.values(twice, name).count == 1, "\(name)")
        }
        #expect(Self.values(twice, "x-amz-date") == ["20150830T123700Z"])
        #expect(Self.values(twice, "authorization").first?.contains("SignedHeaders=content-type;host;") == true)
    }

    @Test func volatileHeadersAreNotSigned() {
        var request = Self.post
        request.headers += [("User-Agent", "flow/1.0"), ("X-Amzn-Trace-Id", "Root=1-abc")]
        let signed = Self.signer().sign(request, at: Self.date)
        #expect(Self.values(signed, "authorization").first?
            .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,") == true)
    }

    @Test func wireEncodedPathIsEncodedAgainExceptForS3() {
        let request = AWSHTTPRequest(method: "GET", endpoint: "https://e.example", path: "/a%20b/./c/../d")
        #expect(Self.signer().canonicalRequest(request).split(separator: "\n")[1] == "/a%2520b/d")
        let s3 = Self.signer(options: .s3)
        #expect(s3.canonicalRequest(request).split(separator: "\n")[1] == "/a%20b/./c/../d")
        let signed = s3.sign(request, at: Self.date)
        #expect(Self.values(signed, "x-amz-content-sha256") == [Self.emptyHash])
        var unsigned = request
        unsigned.headers = [("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")]
        let signedUnsigned = s3.sign(unsigned, at: Self.date)
        #expect(Self.values(signedUnsigned, "x-amz-content-sha256") == ["UNSIGNED-PAYLOAD"])
        #expect(s3.canonicalRequest(signedUnsigned).hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test(arguments: [
        (1_440_938_160.0, "20150830T123600Z"),
        (1_440_938_160.999, "20150830T123600Z"),
        (0.0, "19700101T000000Z"),
        (-1.0, "19691231T235959Z"),
        (1_709_251_199.0, "20240229T235959Z"),
        (4_102_444_800.0, "21000101T000000Z"),
    ])
    func amzDate(seconds: Double, expected: String) {
        let date = AMZDate(Date(timeIntervalSince1970: seconds))
        #expect(date.timestamp == expected)
        #expect(date.day == String(expected.prefix(8)))
    }

    @Test(arguments: [
        ("/", "/"), ("", "/"), ("//", "/"), ("/./", "/"), ("/a/..", "/"), ("/a/b/../..", "/"), ("/..", "/"),
        ("//a//", "/a/"), ("/./a", "/a"), ("/a/b/..", "/a/"), ("/a/./b", "/a/b"), ("/a/b", "/a/b"),
    ])
    func pathNormalization(path: String, expected: String) {
        #expect(CanonicalRequest.canonicalURI(path, options: .init()) == expected)
    }
}
